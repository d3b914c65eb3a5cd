// ICMS page behaviour. No inline script anywhere: the content security policy forbids it.

// A background save answered 401: the session has ended. Say so, instead of failing silently.
// One that did not arrive or that ICMS could not make (5xx: its database or Redis is down):
// the same, without taking the focus from the field being typed in; gone once a save works.
document.addEventListener("htmx:responseError", (event) => {
  if (event.detail.xhr.status === 401) {
    const notice = document.getElementById("session-ended");
    if (notice) {
      notice.hidden = false;
      notice.focus();
    }
  } else if (event.detail.xhr.status >= 500) {
    showNotSaved(true);
  }
});
document.addEventListener("htmx:sendError", () => showNotSaved(true));
document.addEventListener("htmx:afterRequest", (event) => {
  if (event.detail.successful) {
    showNotSaved(false);
  }
});

function showNotSaved(shown) {
  const notice = document.getElementById("not-saved");
  if (notice) {
    notice.hidden = !shown;
  }
}

// Contacts kept on this phone while there was no signal (offline-contact.js) are encrypted with
// a key of the login session. They go at logout, and on the login page (the session ended some
// other way): without that session nobody can read them, and nothing should be left behind.
const CONTACT_DRAFT_PREFIX = "icms-contact-draft:";

function contactDrafts() {
  return Object.keys(localStorage).filter((name) => name.startsWith(CONTACT_DRAFT_PREFIX));
}

function forgetContactDrafts() {
  for (const name of contactDrafts()) {
    localStorage.removeItem(name);
  }
}

document.addEventListener("submit", (event) => {
  if (event.target.id !== "logout-form") {
    return;
  }
  const unsent =
    "A contact saved on this phone without signal has not been sent yet. Logging out " +
    "deletes it: open that young person's contact form with signal first to send it. " +
    "Log out anyway?";
  if (contactDrafts().length && !window.confirm(unsent)) {
    event.preventDefault();
    return;
  }
  forgetContactDrafts();
});

if (document.getElementById("login-form")) {
  forgetContactDrafts();
}

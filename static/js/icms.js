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

// A table wider than the screen scrolls sideways in its box: the box then takes the keyboard
// focus, so that the arrow keys scroll it too, and is named by the table's caption.
function letWideTablesScroll() {
  for (const box of document.querySelectorAll(".table-responsive")) {
    if (box.scrollWidth <= box.clientWidth || box.tabIndex === 0) {
      continue;
    }
    box.tabIndex = 0;
    box.setAttribute("role", "region");
    const caption = box.querySelector("caption");
    if (caption) {
      caption.id = caption.id || `caption-${Math.random().toString(36).slice(2)}`;
      box.setAttribute("aria-labelledby", caption.id);
    } else {
      box.setAttribute("aria-label", "Table: scroll sideways to see all of it");
    }
  }
}
document.addEventListener("DOMContentLoaded", letWideTablesScroll);
document.addEventListener("htmx:afterSettle", letWideTablesScroll);

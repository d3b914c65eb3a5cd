// ICMS page behaviour. No inline script anywhere: the content security policy forbids it.

// A background save answered 401: the session has ended. Say so, instead of failing silently.
document.addEventListener("htmx:responseError", (event) => {
  if (event.detail.xhr.status === 401) {
    const notice = document.getElementById("session-ended");
    if (notice) {
      notice.hidden = false;
      notice.focus();
    }
  }
});

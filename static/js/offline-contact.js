// The contact form without signal, or while ICMS is not answering (a 5xx: its database or
// Redis is down). A contact that cannot be sent is kept on this phone, encrypted (AES-GCM) with
// the login session's key, which the page carries and no storage ever holds, and it is sent
// again every little while (and when the connection is back) until ICMS records it. The server
// records one contact per client_reference, so sending one again is harmless. README, "Who sees
// what", says what is kept. WebCrypto needs a secure context (HTTPS, or localhost); without it
// the form posts as usual, and a 503 page offers to send it again.
// A module, so that its names stay its own; it runs after icms.js, like a deferred script.

const NO_SIGNAL =
  "No signal: saved on this phone, encrypted. It will be sent when the connection is back.";
const NOT_ANSWERING =
  "ICMS is not answering just now: saved on this phone, encrypted. It will be sent by itself " +
  "as soon as ICMS answers.";
// Seconds before sending again: the server's Retry-After within these bounds, or the default.
const RETRY = { least: 5, most: 60, otherwise: 15 };
const SESSION_ENDED =
  "Your session has ended, so this contact is not recorded. Copy the notes from the form above, " +
  "then log in again: a copy kept on this phone cannot be read after a new login.";

const status = document.getElementById("offline-status");
const contactForm = () => document.getElementById("contact-form");
const { draftKey, youngPerson, timelineUrl } = contactForm().dataset;
// CONTACT_DRAFT_PREFIX comes from icms.js, which clears these at logout and on the login page.
const prefix = `${CONTACT_DRAFT_PREFIX}${youngPerson}:`;

function toBase64(bytes) {
  let text = "";
  for (const byte of bytes) {
    text += String.fromCharCode(byte);
  }
  return btoa(text);
}

function fromBase64(text) {
  return Uint8Array.from(atob(text), (character) => character.charCodeAt(0));
}

// The storage name is sealed in too, so a kept contact cannot pass for another young person's.
function sealing(name, iv) {
  return { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(name) };
}

async function keep(key, name, fields) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plain = new TextEncoder().encode(JSON.stringify(fields));
  const sealed = new Uint8Array(await crypto.subtle.encrypt(sealing(name, iv), key, plain));
  localStorage.setItem(name, JSON.stringify({ iv: toBase64(iv), sealed: toBase64(sealed) }));
}

async function unseal(key, name) {
  const { iv, sealed } = JSON.parse(localStorage.getItem(name));
  const sealedWith = sealing(name, fromBase64(iv));
  const plain = await crypto.subtle.decrypt(sealedWith, key, fromBase64(sealed));
  return JSON.parse(new TextDecoder().decode(plain));
}

// The form as the server gave it back with its errors, in place of the one on the page.
function showErrors(page) {
  const parsed = new DOMParser().parseFromString(page, "text/html");
  const answered = parsed.getElementById("contact-form");
  contactForm().replaceWith(answered);
  htmx.process(answered);
  answered.scrollIntoView();
}

// Post a contact as the form does; true once the server has recorded it. Its answer then is a
// redirect to the timeline, not followed here so that the timeline shows "Contact recorded".
async function deliver(key, name, fields) {
  const body = new FormData();
  for (const [field, value] of fields) {
    body.append(field, value);
  }
  body.set("csrfmiddlewaretoken", contactForm().elements.csrfmiddlewaretoken.value);
  let response;
  try {
    response = await fetch(contactForm().action, { method: "POST", body, redirect: "manual" });
  } catch {
    await keep(key, name, fields);
    status.textContent = NO_SIGNAL;
    sendLater(key, RETRY.otherwise);
    return false;
  }
  if (response.type === "opaqueredirect") {
    localStorage.removeItem(name);
    return true;
  }
  if (response.status >= 500) {
    await keep(key, name, fields);
    status.textContent = NOT_ANSWERING;
    sendLater(key, Number(response.headers.get("Retry-After")) || RETRY.otherwise);
  } else if (response.status === 401) {
    status.textContent = SESSION_ENDED;
  } else if (response.ok) {
    showErrors(await response.text());
    status.textContent = "Not recorded yet: the form needs attention (see above).";
  } else {
    status.textContent = `Not recorded: ICMS answered ${response.status}. Try again in a moment.`;
  }
  return false;
}

let retry = null;
let sending = false;

// Try the kept contacts again in `seconds` (a timer: the browser's "online" event does not
// come when the network was there all along and ICMS itself was down).
function sendLater(key, seconds) {
  clearTimeout(retry);
  const wait = Math.min(Math.max(seconds, RETRY.least), RETRY.most);
  retry = setTimeout(() => sendKept(key), wait * 1000);
}

// The contacts kept for this young person; the timeline once every one is recorded.
async function sendKept(key) {
  if (sending) {
    return;
  }
  sending = true;
  try {
    const names = Object.keys(localStorage).filter((name) => name.startsWith(prefix));
    let recorded = 0;
    for (const name of names) {
      let fields;
      try {
        fields = await unseal(key, name);
      } catch {
        localStorage.removeItem(name); // kept under an earlier login: nobody can read it now
        continue;
      }
      status.textContent = "Sending the contact kept on this phone…";
      if (!(await deliver(key, name, fields))) {
        return;
      }
      recorded += 1;
    }
    if (recorded) {
      location.assign(timelineUrl);
    }
  } finally {
    sending = false;
  }
}

async function submit(form, key) {
  const button = form.querySelector("[type=submit]");
  button.disabled = true;
  const fields = [...new FormData(form)].filter(([field]) => field !== "csrfmiddlewaretoken");
  if (await deliver(key, prefix + form.elements.client_reference.value, fields)) {
    location.assign(timelineUrl);
  } else {
    button.disabled = false;
  }
}

if (window.crypto?.subtle) {
  // Still being imported while the listeners go in: a tap on "Record contact" must never fall
  // through to a plain post, which without signal loses the page.
  const key = crypto.subtle.importKey("raw", fromBase64(draftKey), "AES-GCM", false, [
    "encrypt",
    "decrypt",
  ]);
  document.addEventListener("submit", async (event) => {
    if (event.target.id === "contact-form") {
      event.preventDefault();
      submit(event.target, await key);
    }
  });
  window.addEventListener("online", async () => sendKept(await key));
  key.then(sendKept);
}

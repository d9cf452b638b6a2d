// Behaviour shared by every page. No inline scripts anywhere: the Content-Security-Policy forbids them.
(() => {
  "use strict";

  const STATUS_TEXT = {
    400: "That was not accepted.",
    403: "Your role in this review does not allow that.",
    404: "Not found: it may have been removed meanwhile. Reload the page.",
    409: "Someone changed this meanwhile. Reload the page to see the latest state.",
    413: "The file is too large.",
    429: "Too many requests; wait a moment and try again.",
  };

  // An error from an htmx request is shown in place, above the page's content; the page itself stays whole.
  const showError = (text) => {
    let box = document.getElementById("htmx-error");
    if (!box) {
      box = document.createElement("div");
      box.id = "htmx-error";
      box.className = "msg msg-error htmx-error";
      box.setAttribute("role", "alert");
      const main = document.querySelector("main") || document.body;
      main.prepend(box);
    }
    box.textContent = text;
    box.hidden = false;
  };

  const isFragment = (text) => {
    const head = text.trimStart().slice(0, 200).toLowerCase();
    return head.startsWith("<") && !head.startsWith("<!doctype") && !head.startsWith("<html");
  };

  document.addEventListener("htmx:beforeSwap", (event) => {
    const xhr = event.detail.xhr;
    const box = document.getElementById("htmx-error");
    if (xhr.status < 400) {
      if (box) box.hidden = true;
      return;
    }
    const text = xhr.responseText || "";
    // Our own 4xx answers are fragments of the page carrying a readable message: swap them as usual.
    if (xhr.status < 500 && isFragment(text)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
      return;
    }
    // Anything else (a whole error page, a server error) must not replace part of the page.
    event.detail.shouldSwap = false;
    const plain = text && !text.includes("<") && text.length < 300 ? text : "";
    showError(plain || STATUS_TEXT[xhr.status] || `The server could not do that (${xhr.status}). Try again.`);
  });

  document.addEventListener("htmx:sendError", () => {
    showError("The server could not be reached. Check the connection and try again.");
  });
})();

// A "Copy" button next to a read-only field (invitation links): copies the field's text to the clipboard.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  if (!field) return;
  field.select();
  const done = () => { button.textContent = "Copied"; };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, () => document.execCommand("copy") && done());
  } else if (document.execCommand("copy")) {
    done();
  }
});

// Buttons that undo membership ask first (plain forms; htmx forms use hx-confirm).
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) event.preventDefault();
});

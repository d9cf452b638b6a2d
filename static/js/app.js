// Behaviour shared by every page. No inline scripts anywhere: the Content-Security-Policy forbids them.
document.addEventListener("htmx:responseError", (event) => {
  // htmx does not swap 4xx/5xx responses by default; show ours, which carry a readable message.
  const xhr = event.detail.xhr;
  if (xhr.status >= 400 && xhr.status < 500 && event.detail.target) {
    event.detail.target.outerHTML = xhr.responseText;
  } else {
    const box = document.getElementById("messages");
    if (box) box.innerHTML = '<div class="msg msg-error" role="alert">The server could not do that (' + xhr.status + "). Try again.</div>";
  }
});

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

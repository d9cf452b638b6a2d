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

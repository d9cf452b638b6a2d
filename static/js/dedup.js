// Possible-duplicates queue: S = same work, D = different works. Clicks the matching button so htmx posts it.
document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable)) return;
  const button = document.querySelector(`#possible-pair button[data-key="${event.key.toLowerCase()}"]`);
  if (button) {
    event.preventDefault();
    button.click();
  }
});

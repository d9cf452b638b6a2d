// Keyboard-first screening. Single keys act on the record shown; typing in a field never triggers them.
(() => {
  "use strict";

  const panel = () => document.getElementById("screen-panel");
  const inField = (el) => el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
  let busy = false; // one decision at a time: a second key press while a vote is in flight is ignored

  const clickKey = (key) => {
    const root = panel();
    if (!root) return false;
    const target = root.querySelector(`[data-key="${key}"]`);
    if (!target || target.disabled) return false;
    target.click();
    return true;
  };

  const showReasons = () => {
    const reasons = document.getElementById("reasons");
    if (!reasons) return;
    reasons.hidden = false;
    const first = reasons.querySelector("[data-reason-key]");
    if (first) first.focus();
  };

  const toggleHelp = () => {
    const help = document.getElementById("screen-help");
    if (!help) return;
    if (help.open) help.close();
    else help.showModal();
  };

  document.addEventListener("click", (event) => {
    const target = event.target.closest("[data-reasons-toggle], [data-help-toggle]");
    if (!target) return;
    if (target.matches("[data-reasons-toggle]")) {
      event.preventDefault();
      showReasons();
    } else if (target.matches("[data-help-toggle]")) {
      event.preventDefault();
      toggleHelp();
    }
  });

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const active = document.activeElement;
    if (inField(active)) {
      if (event.key === "Escape") active.blur();
      return;
    }
    if (busy) return;
    const key = event.key.toLowerCase();
    const reasons = document.getElementById("reasons");
    if (/^[1-9]$/.test(key) && reasons && !reasons.hidden) {
      const button = reasons.querySelector(`[data-reason-key="${key}"]`);
      if (button) {
        event.preventDefault();
        showReasons();
        button.click();
      }
      return;
    }
    let handled = false;
    if (key === "?") {
      toggleHelp();
      handled = true;
    } else if (key === "n") {
      const note = document.getElementById("note");
      if (note) {
        note.focus();
        handled = true;
      }
    } else if (["i", "e", "m", "u", "s", "p"].includes(key)) {
      handled = clickKey(key);
    }
    if (handled) event.preventDefault();
  });

  document.addEventListener("htmx:beforeRequest", (event) => {
    if (panel() && panel().contains(event.detail.elt)) busy = true;
  });
  document.addEventListener("htmx:afterRequest", () => {
    busy = false;
  });
  document.addEventListener("htmx:afterSwap", () => {
    // Keep the keys working after the swap: nothing inside the new panel has focus.
    if (inField(document.activeElement) === false && document.activeElement !== document.body) {
      document.activeElement.blur();
    }
    window.scrollTo({ top: 0 });
  });
})();

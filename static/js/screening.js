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
    const key = event.key.toLowerCase();
    if (busy) {
      // Only once the next record is on screen: a key pressed while the old one still shows is not meant for it.
      if (swapped && ["i", "e", "m", "s", "u"].includes(key)) {
        pendingKey = key;
        event.preventDefault();
      }
      return;
    }
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

  // Looking is not claiming: the record's vote slot is held for me only while this page is open and in use.
  // Every 30 s the page renews the hold if someone touched it in the last 3 minutes; leaving releases it.
  const HOLD_EVERY_MS = 30000;
  const IDLE_AFTER_MS = 180000;
  let lastActivity = Date.now();
  const touched = () => {
    lastActivity = Date.now();
  };
  ["keydown", "pointerdown", "scroll", "wheel"].forEach((name) =>
    document.addEventListener(name, touched, { passive: true, capture: true }),
  );
  const csrfToken = () => {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  };
  const post = (url, beacon) => {
    const body = new FormData();
    body.append("csrfmiddlewaretoken", csrfToken());
    if (beacon && navigator.sendBeacon) return navigator.sendBeacon(url, body);
    return fetch(url, { method: "POST", body, credentials: "same-origin" }).catch(() => null);
  };
  window.setInterval(() => {
    const root = panel();
    if (!root || !root.dataset.holdUrl) return;
    if (document.visibilityState !== "visible" || Date.now() - lastActivity > IDLE_AFTER_MS) return;
    post(root.dataset.holdUrl, false);
  }, HOLD_EVERY_MS);
  const releaseHold = () => {
    const root = panel();
    if (root && root.dataset.releaseUrl) post(root.dataset.releaseUrl, true);
  };
  window.addEventListener("pagehide", releaseHold);

  // A key pressed while the next record is on its way is kept and applied to that record once it is ready
  // (htmx has wired its buttons): before, it either fell through to a plain form submit or was dropped.
  let pendingKey = null;
  let swapped = false;
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (panel() && panel().contains(event.detail.elt)) busy = true;
    swapped = false;
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    if (!event.detail.successful) busy = false;
  });
  document.addEventListener("htmx:afterSettle", () => {
    busy = false;
    swapped = false;
    const root = panel();
    // One URL per record: Back steps back through records and the address can be shared.
    if (root && root.dataset.recordUrl && window.location.pathname !== root.dataset.recordUrl) {
      window.history.pushState({}, "", root.dataset.recordUrl);
    }
    if (pendingKey) {
      const key = pendingKey;
      pendingKey = null;
      clickKey(key);
    }
  });
  // The pushed addresses are whole pages: Back loads them as such (htmx would ask for a fragment).
  if (window.htmx) window.htmx.config.historyEnabled = false;
  window.addEventListener("popstate", () => window.location.reload());
  document.addEventListener("htmx:afterSwap", () => {
    swapped = true;
    // Keep the keys working after the swap: nothing inside the new panel has focus.
    if (inField(document.activeElement) === false && document.activeElement !== document.body) {
      document.activeElement.blur();
    }
    window.scrollTo({ top: 0 });
  });
})();

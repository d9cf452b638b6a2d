// Charting pages. Loaded as a static file: the Content-Security-Policy forbids inline scripts.
(function () {
  "use strict";

  // The current answer of a field, as the condition of another field compares it (option codes, yes/no...).
  // Within an instance of a repeating group, a field of the same group is read in the same instance.
  function answersOf(form, wrapper, key) {
    const scope = wrapper.closest(".group-instance");
    const selector = '.xfield[data-key="' + CSS.escape(key) + '"]';
    const parent = (scope && scope.querySelector(selector)) || form.querySelector(selector);
    // A field of another repeating group has no single answer: the server shows the field, and so do we.
    if (parent && parent.closest(".group-instance") && parent.closest(".group-instance") !== scope) return null;
    if (!parent || parent.hidden) return [];
    const inputs = parent.querySelectorAll('[name="' + CSS.escape(parent.dataset.name) + '"]');
    const values = [];
    inputs.forEach(function (input) {
      if ((input.type === "checkbox" || input.type === "radio") && !input.checked) return;
      if (input.value) values.push(input.value.trim().toLowerCase());
    });
    return values;
  }

  // Show a conditional field only while the field it depends on has the chosen answer. The server applies
  // the same rule on submit, so hiding here is only about what the extractor sees.
  function applyConditions(form) {
    let changed = true;
    let rounds = 0;
    while (changed && rounds < 10) {  // chains of conditions settle in a few rounds
      changed = false;
      rounds += 1;
      form.querySelectorAll(".xfield[data-condition-key]").forEach(function (wrapper) {
        const wanted = (wrapper.dataset.conditionValue || "").trim().toLowerCase();
        const answers = answersOf(form, wrapper, wrapper.dataset.conditionKey);
        const show = answers === null || answers.indexOf(wanted) !== -1;
        if (wrapper.hidden === show) {
          wrapper.hidden = !show;
          changed = true;
        }
      });
    }
  }

  // Typing in an "Other, specify" box ticks its "Other" option, so the text is never silently ignored.
  function tickOther(event) {
    const box = event.target;
    if (!box.classList || !box.classList.contains("other-text") || !box.value) return;
    const wrapper = box.closest(".xfield");
    const other = wrapper && wrapper.querySelector('input[value="other"]');
    if (other && !other.checked) other.checked = true;
  }

  function init(root) {
    // "Other, specify" boxes behave the same in the extraction form and in consensus entry.
    root.querySelectorAll("#extraction-form, .consensus-edit form").forEach(function (form) {
      if (form.dataset.chartingReady) return;
      form.dataset.chartingReady = "1";
      form.addEventListener("input", tickOther);
    });
    // Conditions apply to the extraction form only: a consensus entry shows one field on its own.
    const form = root.querySelector("#extraction-form");
    if (form && !form.dataset.conditionsReady) {
      form.dataset.conditionsReady = "1";
      form.addEventListener("input", function () { applyConditions(form); });
      form.addEventListener("change", function () { applyConditions(form); });
      applyConditions(form);
    }
  }

  // Form builder: offer options only for choice fields and a unit only for numbers.
  function fitFieldForm(form) {
    const type = form.querySelector('select[name="type"]');
    if (!type) return;
    const choice = type.value === "single" || type.value === "multiple";
    const numeric = type.value === "integer" || type.value === "decimal";
    [["choices_text", choice], ["allow_other", choice], ["unit", numeric]].forEach(function (pair) {
      const input = form.querySelector('[name="' + pair[0] + '"]');
      const wrapper = input && input.closest(".field");
      if (wrapper) wrapper.hidden = !pair[1];
    });
  }

  function initBuilder(root) {
    root.querySelectorAll(".cf-field-form").forEach(function (form) {
      if (form.dataset.builderReady) return;
      form.dataset.builderReady = "1";
      form.addEventListener("change", function () { fitFieldForm(form); });
      fitFieldForm(form);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); initBuilder(document); });
  document.addEventListener("htmx:afterSwap", function () { initBuilder(document); });
  document.addEventListener("htmx:afterSwap", function (event) {
    init(event.detail.target.parentNode || document);
    const form = document.getElementById("extraction-form");
    if (form) applyConditions(form);  // a new instance of a repeating group starts with its conditions applied
  });

  // A debounced draft save that fails (network, session expired) must not pass unnoticed.
  document.addEventListener("htmx:sendError", function () {
    const status = document.getElementById("save-status");
    if (status) status.innerHTML = '<span class="error">Not saved: the server could not be reached. Keep this page open and try again.</span>';
  });
})();

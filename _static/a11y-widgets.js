// Names for the saved Jupyter widgets, which the widget manager (html-manager 1.0.6)
// renders without them: a slider's handle (role="slider") gets its label's text,
// and the widget's image gets alt text naming the values it was drawn for
// ("Figure for step t = 6"). The page's static figure carries the full description.
// Jupyter Book includes every .js file in _static/ on every page; the audit is
// tests/browser/test_a11y.py.
(function () {
  "use strict";

  function labelOf(control) {
    var label = control.querySelector(":scope > .widget-label");
    return label ? label.textContent.trim() : "";
  }

  function describe(box) {
    var parts = [];
    box.querySelectorAll(".widget-slider, .widget-dropdown, .widget-toggle-buttons")
      .forEach(function (control) {
        var readout = control.querySelector(".widget-readout, select");
        var value = readout ? (readout.value || readout.textContent || "").trim() : "";
        var name = labelOf(control);
        if (name) parts.push(value ? name + " = " + value : name);
      });
    return parts.length ? "Figure for " + parts.join(", ") : "Figure drawn by this widget";
  }

  function fix(root) {
    root.querySelectorAll(".widget-label[title='null']").forEach(function (label) {
      label.removeAttribute("title");
    });
    root.querySelectorAll(".noUi-handle[role='slider']:not([aria-label])").forEach(function (h) {
      var control = h.closest(".widget-slider");
      var name = control ? labelOf(control) : "";
      h.setAttribute("aria-label", name || "value");
    });
    root.querySelectorAll("img.widget-image:not([alt])").forEach(function (img) {
      var box = img.closest(".widget-box") || img.parentElement;
      img.setAttribute("alt", describe(box));
    });
  }

  var queued = false;
  new MutationObserver(function () {
    if (queued) return;
    queued = true;
    Promise.resolve().then(function () {
      queued = false;
      fix(document);
    });
  }).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", function () {
    fix(document);
  });
})();

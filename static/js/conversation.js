/* Conversation editor: small touches on top of htmx. Everything works without this file. */
(function () {
  "use strict";

  /* Show "Leads to" or "Website" according to what each reply button does. */
  function syncButtonFields(root) {
    root.querySelectorAll(".conv-button").forEach(function (box) {
      var select = box.querySelector("select[name$='-action']");
      if (!select) return;
      box.querySelectorAll("[data-for-actions]").forEach(function (field) {
        field.hidden = field.dataset.forActions.split(" ").indexOf(select.value) === -1;
      });
    });
  }
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches(".conv-button select[name$='-action']")) {
      syncButtonFields(e.target.closest(".conv-button").parentElement);
    }
  });
  document.addEventListener("DOMContentLoaded", function () { syncButtonFields(document); });
  document.addEventListener("htmx:afterSettle", function (e) {
    var target = e.detail.elt;
    if (target && target.id === "conv-workspace") {
      syncButtonFields(target);
      /* app.js scales the preview frame on resize; a swapped frame needs the same. */
      window.dispatchEvent(new Event("resize"));
      var focus = document.location.hash && document.querySelector(document.location.hash);
      if (focus && focus.scrollIntoView) focus.scrollIntoView({ block: "nearest" });
    }
  });
})();

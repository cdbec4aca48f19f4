/* InMail Studio guidance: the UTM builder beside the landing page URL.
   The editor works without this file; it adds the "Add UTM tags" button, which asks the server
   (inmail_studio/guidance/utm.py, the one statement of the tagging) and puts its answer in the field. */
(function () {
  "use strict";

  function say(box, text) {
    var note = box.querySelector("[data-utm-message]");
    if (!note) {
      note = document.createElement("p");
      note.className = "errorlist";
      note.setAttribute("data-utm-message", "");
      note.setAttribute("role", "alert");
      box.appendChild(note);
    }
    note.textContent = text;
    note.hidden = !text;
  }

  function init(box) {
    var button = box.querySelector("[data-add-utm]");
    if (!button || box.closest("fieldset[disabled]")) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var field = document.getElementById(box.dataset.urlField);
      var name = document.getElementById(box.dataset.nameField);
      var variant = box.querySelector("input[name=utm_variant]");
      if (!field) return;
      var typed = field.value;
      var query = new URLSearchParams({
        url: typed, name: name ? name.value : "", variant: variant ? variant.value : "a"
      });
      button.disabled = true;
      fetch(box.dataset.utmUrl + "?" + query.toString(), {
        headers: { "Accept": "application/json" }, credentials: "same-origin"
      }).then(function (response) {
        return response.json();
      }).then(function (answer) {
        if (answer.error) { say(box, answer.error); field.focus(); return; }
        if (field.value !== typed) return; /* typed over meanwhile: what was typed wins */
        field.value = answer.url;
        say(box, "");
        /* The form listens for input: the preview, the checklist and the unsaved-changes guard follow. */
        field.dispatchEvent(new Event("input", { bubbles: true }));
      }).catch(function () {
        say(box, "The UTM tags couldn't be added (no answer from the server); try again.");
      }).finally(function () {
        button.disabled = false;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-utm-builder]").forEach(init);
  });
})();

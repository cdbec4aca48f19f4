/* InMail Studio guidance: the UTM builder beside the landing page URL.
   The editor works without this file; it adds the "Add UTM tags" button.
   Keep the tagging identical to inmail_studio/guidance/utm.py. */
(function () {
  "use strict";

  var KEYS = ["utm_source", "utm_medium", "utm_campaign", "utm_content"];

  /* Django's slugify: ASCII only, lower case, words joined by hyphens. */
  function slugify(value) {
    return (value || "").normalize("NFKD").replace(/[^\x00-\x7F]/g, "").toLowerCase()
      .replace(/[^\w\s-]/g, "").replace(/[-\s]+/g, "-").replace(/^[-_]+|[-_]+$/g, "");
  }

  function tagged(url, name, variant) {
    var raw = url.trim();
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) raw = "https://" + raw;
    var parsed = new URL(raw);
    var params = new URLSearchParams(parsed.search);
    KEYS.forEach(function (key) { params.delete(key); });
    params.append("utm_source", "linkedin");
    params.append("utm_medium", "sponsored_message");
    params.append("utm_campaign", slugify(name) || "message-ad");
    params.append("utm_content", slugify(variant) || "a");
    parsed.search = params.toString();
    return parsed.toString();
  }

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
      if (!field.value.trim()) { say(box, "Enter the landing page URL first."); field.focus(); return; }
      try {
        field.value = tagged(field.value, name ? name.value : "", variant ? variant.value : "a");
      } catch (_err) {
        say(box, "That landing page URL can't be read; copy it from the browser's address bar.");
        return;
      }
      say(box, "");
      /* The form listens for input: the preview, the checklist and the unsaved-changes guard follow. */
      field.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-utm-builder]").forEach(init);
  });
})();

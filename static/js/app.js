/* InMail Studio behaviour. Every page works without this file; it adds the live feel.
   No inline script anywhere (the CSP forbids it), so all wiring starts here. */
(function () {
  "use strict";

  function on(root, type, selector, handler) {
    root.addEventListener(type, function (event) {
      var target = event.target.closest ? event.target.closest(selector) : null;
      if (target && root.contains(target)) handler(event, target);
    });
  }

  /* Flash messages can be dismissed. */
  on(document, "click", "[data-dismiss]", function (_e, button) {
    button.closest(".message").remove();
  });

  /* Selects that submit their form when changed (the workspace switcher). */
  on(document, "change", "select[data-autosubmit]", function (_e, select) {
    select.form.requestSubmit();
  });

  /* ---------- Unsaved changes are never lost ---------- */
  var dirty = false;
  function setDirty(value) {
    dirty = value;
    document.querySelectorAll("[data-unsaved-indicator]").forEach(function (el) { el.hidden = !value; });
  }
  function guardedForm() { return document.querySelector("form[data-unsaved-guard]:not([data-readonly])"); }
  document.addEventListener("input", function (e) {
    var form = guardedForm();
    if (form && e.target.form === form && !e.target.closest(".preview-controls")) setDirty(true);
  });
  document.addEventListener("submit", function (e) {
    if (e.target === guardedForm()) setDirty(false);
  });
  window.addEventListener("beforeunload", function (e) {
    if (dirty) { e.preventDefault(); e.returnValue = ""; }
  });
  /* A save that failed re-renders the form with everything typed: it is still unsaved. */
  document.addEventListener("DOMContentLoaded", function () {
    var form = guardedForm();
    if (form && form.querySelector(".field-invalid, .form-error")) setDirty(true);
  });

  /* ---------- Preview controls outside the form (persona, device) refresh the preview ---------- */
  on(document, "change", ".preview-controls [form]", function (_e, input) {
    var form = document.getElementById(input.getAttribute("form"));
    if (form && window.htmx) window.htmx.trigger(form, "refresh-preview");
  });

  /* ---------- The preview frame: keep the reader's scroll across refreshes ----------
     The desktop inbox is drawn at LinkedIn's own size; where the column is narrower, its box scrolls
     sideways (CSS), so nothing is scaled down to unreadable text. */
  var savedScroll = 0;
  function restoreScroll(frame) {
    try {
      var body = frame.contentDocument && frame.contentDocument.querySelector(".li-thread-body");
      if (body) body.scrollTop = savedScroll;
    } catch (_err) { /* a frame we can't reach keeps its own scroll */ }
  }
  function watchFrames(root) {
    (root || document).querySelectorAll("iframe.preview-frame").forEach(function (frame) {
      frame.addEventListener("load", function () { restoreScroll(frame); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { watchFrames(document); });
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (e.detail.target && e.detail.target.id === "preview") {
      try {
        var body = e.detail.target.querySelector("iframe").contentDocument.querySelector(".li-thread-body");
        savedScroll = body ? body.scrollTop : 0;
      } catch (_err) { savedScroll = 0; }
    }
  });
  document.addEventListener("htmx:afterSettle", function (e) {
    var target = e.detail.elt;
    if (target && target.id === "preview") watchFrames(target.parentElement);
    if (target && target.id === "banner") {
      var form = target.closest("form");
      if (form && window.htmx) { setDirty(true); window.htmx.trigger(form, "refresh-preview"); }
    }
  });
  /* A failed preview (network, server error) must not look like the ad is fine. */
  document.addEventListener("htmx:responseError", function (e) {
    if (e.detail.target && e.detail.target.id === "preview") e.detail.target.classList.add("preview-stale");
  });

  /* ---------- Banner removal ---------- */
  on(document, "click", "[data-remove-banner]", function (_e, button) {
    var box = button.closest("#banner");
    box.querySelector("input[name=banner]").value = "";
    var figure = box.querySelector(".banner-thumb");
    if (figure) figure.remove();
    button.remove();
    setDirty(true);
    if (window.htmx) window.htmx.trigger(box.closest("form"), "refresh-preview");
  });

  /* ---------- Call to action: show the field that belongs to the chosen kind ---------- */
  function syncCta(form) {
    var checked = form.querySelector("input[name=cta_kind]:checked");
    if (!checked) return;
    form.querySelectorAll("[data-cta-kind]").forEach(function (box) {
      box.hidden = box.dataset.ctaKind !== checked.value;
    });
  }
  on(document, "change", "input[name=cta_kind]", function (_e, input) { syncCta(input.form); });
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("ad-form");
    if (form) syncCta(form);
  });

  /* ---------- Rich-text body ----------
     The textarea stays the form's field. The editor shows its HTML, cleaned on the way in
     to the same allowlist the server enforces (the server's sanitizer is the one that counts). */
  var ALLOWED = { P: 1, BR: 1, B: 1, STRONG: 1, I: 1, EM: 1, U: 1, UL: 1, OL: 1, LI: 1, A: 1 };
  var DROP = { SCRIPT: 1, STYLE: 1, TEMPLATE: 1, SVG: 1, MATH: 1, IFRAME: 1, OBJECT: 1, NOSCRIPT: 1, TEXTAREA: 1, TITLE: 1, SELECT: 1 };
  function cleanInto(target, source) {
    Array.prototype.forEach.call(source.childNodes, function (node) {
      if (node.nodeType === 3) { target.appendChild(document.createTextNode(node.nodeValue)); return; }
      if (node.nodeType !== 1 || DROP[node.nodeName.toUpperCase()]) return;
      var name = node.nodeName.toUpperCase();
      if (!ALLOWED[name]) {
        if (name === "DIV") { var p = document.createElement("p"); cleanInto(p, node); target.appendChild(p); }
        else cleanInto(target, node);
        return;
      }
      var copy = document.createElement(name.toLowerCase());
      if (name === "A") {
        var href = (node.getAttribute("href") || "").trim();
        if (/^https?:\/\//i.test(href)) copy.setAttribute("href", href);
      }
      cleanInto(copy, node);
      target.appendChild(copy);
    });
  }
  function setEditorHtml(editor, html) {
    var parsed = new DOMParser().parseFromString("<body>" + html + "</body>", "text/html");
    editor.replaceChildren();
    cleanInto(editor, parsed.body);
  }
  function initRte(box) {
    var textarea = box.querySelector("textarea");
    var editor = box.querySelector(".rte-editor");
    var toolbar = box.querySelector(".rte-toolbar");
    if (!textarea || !editor) return;
    if (textarea.disabled || textarea.closest("fieldset[disabled]")) {
      /* Read-only (locked, live, or a role that can't edit): show the formatted body, not its HTML. */
      editor.hidden = false;
      textarea.hidden = true;
      editor.setAttribute("contenteditable", "false");
      editor.setAttribute("aria-readonly", "true");
      setEditorHtml(editor, textarea.value);
      return;
    }
    box.classList.add("rte-active");
    toolbar.hidden = false;
    editor.hidden = false;
    textarea.hidden = true;
    editor.id = textarea.id + "_rich";
    setEditorHtml(editor, textarea.value);
    try { document.execCommand("defaultParagraphSeparator", false, "p"); } catch (_err) { /* older engines */ }

    function pushToTextarea() {
      textarea.value = editor.innerHTML === "<br>" ? "" : editor.innerHTML;
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
    editor.addEventListener("input", pushToTextarea);
    editor.addEventListener("paste", function (e) {
      /* Pasted rich text carries styles and scripts; take its words only. */
      e.preventDefault();
      var text = (e.clipboardData || window.clipboardData).getData("text/plain");
      document.execCommand("insertText", false, text);
    });
    toolbar.addEventListener("mousedown", function (e) {
      if (e.target.closest("button[data-cmd]")) e.preventDefault(); /* keep the selection */
    });
    toolbar.addEventListener("click", function (e) {
      var button = e.target.closest("button");
      if (!button) return;
      if (button.hasAttribute("data-toggle-source")) {
        var showSource = textarea.hidden;
        if (!showSource) setEditorHtml(editor, textarea.value);
        textarea.hidden = !showSource;
        editor.hidden = showSource;
        button.setAttribute("aria-pressed", String(showSource));
        toolbar.querySelectorAll("button[data-cmd]").forEach(function (b) { b.disabled = showSource; });
        (showSource ? textarea : editor).focus();
        return;
      }
      var cmd = button.dataset.cmd;
      editor.focus();
      if (cmd === "createLink") {
        var url = window.prompt("Link address (https://…)", "https://");
        if (!url) return;
        if (!/^https?:\/\//i.test(url)) { window.alert("Links must start with http:// or https://."); return; }
        document.execCommand("createLink", false, url);
      } else if (cmd === "macro") {
        document.execCommand("insertText", false, button.dataset.macro);
      } else {
        document.execCommand(cmd, false, null);
      }
      pushToTextarea();
    });
    /* Before a real submit, the textarea holds what the editor shows. */
    textarea.form.addEventListener("submit", function () {
      if (!editor.hidden) textarea.value = editor.innerHTML;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-rte]").forEach(initRte);
  });
})();

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

  /* ---------- Refusals and failures of htmx requests ----------
     htmx-config (base.html) swaps 4xx answers: ours carry the form with its messages beside the fields.
     An answer that is a whole page (the product's 403/404 page, Django's CSRF page, a proxy's 413) is
     not swapped into a fragment's place: its headline is shown in a banner instead. A 5xx, a network
     failure or a timeout shows a banner too, and nothing on the page (nothing typed) is replaced. */
  var FALLBACK = {
    400: "The request was refused as malformed. Reload the page and try again.",
    403: "You aren't allowed to do that, or your session ended. Reload the page and try again.",
    404: "That no longer exists, or you no longer have access to it.",
    409: "Someone else changed this in the meantime. Reload the page to see their change.",
    413: "That was too large to send. Choose a smaller file.",
    429: "Too many requests in a short time. Wait a moment, then try again."
  };
  /* The element whose request failed: only its next answer says the server is back (a heartbeat or a
     lead-form list answering meanwhile says nothing about the preview that failed). */
  var failedFrom = null;
  function showRequestError(text, elt) {
    var box = document.getElementById("request-error");
    if (!box) return;
    failedFrom = elt || null;
    box.replaceChildren();
    var p = document.createElement("p");
    p.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "message-close";
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "×";
    close.addEventListener("click", function () { box.hidden = true; });
    box.append(p, close);
    box.hidden = false;
  }
  function hideRequestError() {
    var box = document.getElementById("request-error");
    if (box) box.hidden = true;
  }
  /* The headline of an error page, read as text (parsing it as a document would apply its inline styles,
     which the CSP refuses): its first <h1> and the paragraph after it. */
  function textOf(fragment) {
    var box = document.createElement("textarea");
    box.innerHTML = fragment.replace(/<[^>]*>/g, " ");
    return box.value.replace(/\s+/g, " ").trim();
  }
  function headlineOf(html) {
    var h1 = /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(html);
    if (!h1) return "";
    var p = /<p[^>]*>([\s\S]*?)<\/p>/i.exec(html.slice(h1.index + h1[0].length));
    return [textOf(h1[1]), p ? textOf(p[1]) : ""].filter(Boolean).join(": ");
  }
  document.addEventListener("htmx:beforeSwap", function (e) {
    var xhr = e.detail.xhr, status = xhr.status;
    if (status < 400) {
      if (!failedFrom || e.detail.elt === failedFrom || !document.contains(failedFrom)) hideRequestError();
      return;
    }
    var text = xhr.responseText || "";
    var wholePage = /^\s*(<!doctype|<html)/i.test(text);
    // A 503 that carries its form is a save that met a database timeout: everything typed is in it.
    if ((status < 500 || status === 503) && text.trim() && !wholePage) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
      hideRequestError();
      return;
    }
    e.detail.shouldSwap = false;
    var said = wholePage ? headlineOf(text) : "";
    if (status >= 500) {
      showRequestError("Something went wrong on our side (" + status + "). Nothing you typed was lost: try again in a moment.", e.detail.elt);
    } else {
      showRequestError(said || FALLBACK[status] || ("The request was refused (" + status + ")."), e.detail.elt);
    }
  });
  document.addEventListener("htmx:sendError", function (e) {
    showRequestError("Couldn't reach InMail Studio. Check your connection; nothing you typed was lost.", e.detail.elt);
  });
  document.addEventListener("htmx:timeout", function (e) {
    showRequestError("InMail Studio took too long to answer. Nothing you typed was lost: try again.", e.detail.elt);
  });

  /* ---------- Announcements: what changed, said once, politely ----------
     Regions swapped on every keystroke (the checklist, the conversation's problems, the forecast) are
     not live regions; each carries a one-line summary in data-announce, spoken only when it changes. */
  var lastSaid = {};
  function announceChanges(speak) {
    var announcer = document.getElementById("announcer");
    document.querySelectorAll("[data-announce][id]").forEach(function (el) {
      var text = el.getAttribute("data-announce");
      if (speak && announcer && lastSaid[el.id] !== undefined && lastSaid[el.id] !== text) announcer.textContent = text;
      lastSaid[el.id] = text;
    });
  }
  document.addEventListener("DOMContentLoaded", function () { announceChanges(false); });
  document.addEventListener("htmx:afterSettle", function () { announceChanges(true); });

  /* ---------- Boxes that scroll sideways (wide tables, the desktop preview) ----------
     Only while they do scroll, they take focus so the keyboard can scroll them, named for what they hold. */
  var watched = typeof ResizeObserver === "function" ? new ResizeObserver(function () { markScrollers(); }) : null;
  function markScrollers() {
    document.querySelectorAll(".table-scroll, .device").forEach(function (box) {
      if (watched && !box.dataset.watched) {
        box.dataset.watched = "1";
        watched.observe(box);
        if (box.firstElementChild) watched.observe(box.firstElementChild);
      }
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "group");
        box.setAttribute("aria-label", box.classList.contains("device") ? "Inbox preview (scrolls sideways)" : "Table (scrolls sideways)");
        box.dataset.scroller = "1";
      } else if (!scrolls && box.dataset.scroller) {
        ["tabindex", "role", "aria-label", "data-scroller"].forEach(function (name) { box.removeAttribute(name); });
      }
    });
  }
  /* In a box narrower than the desktop inbox, open on the message itself rather than the list beside it. */
  function showThread(frame) {
    var box = frame.closest(".device-desktop");
    if (!box || box.dataset.positioned || box.scrollWidth <= box.clientWidth + 1) return;
    try {
      var thread = frame.contentDocument && frame.contentDocument.querySelector(".li-thread");
      if (thread) { box.scrollLeft = Math.max(0, thread.getBoundingClientRect().left - 8); box.dataset.positioned = "1"; }
    } catch (_err) { /* a frame we can't reach stays where it is */ }
  }
  document.addEventListener("load", function (e) {
    if (e.target && e.target.matches && e.target.matches("iframe.preview-frame")) showThread(e.target);
  }, true);
  document.addEventListener("DOMContentLoaded", markScrollers);
  window.addEventListener("load", function () {
    markScrollers();
    document.querySelectorAll(".device-desktop iframe.preview-frame").forEach(showThread);
  });
  window.addEventListener("resize", markScrollers);
  document.addEventListener("htmx:afterSettle", markScrollers);

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
    if (form && form.querySelector(".field-invalid, .form-error, [data-conflict]")) setDirty(true);
  });

  /* ---------- Presence: the editor's heartbeat names this tab (one id per tab, kept across reloads) ---------- */
  var tabId = null;
  function presenceTab() {
    if (tabId) return tabId;
    try { tabId = window.sessionStorage.getItem("inmail-tab"); } catch (_err) { tabId = null; }
    if (!tabId) {
      tabId = Math.random().toString(36).slice(2, 12) + Date.now().toString(36);
      try { window.sessionStorage.setItem("inmail-tab", tabId); } catch (_err) { /* private mode: one id per page */ }
    }
    return tabId;
  }
  document.addEventListener("htmx:configRequest", function (e) {
    var elt = e.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-presence")) e.detail.parameters.tab = presenceTab();
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
  /* Refusals said in place: a refused request (too large, an invisible character) answers with a
     message retargeted to #messages, and a refused banner with the banner field and its message.
     htmx leaves 4xx responses unswapped unless told. */
  document.addEventListener("htmx:beforeSwap", function (e) {
    var xhr = e.detail.xhr;
    var retargeted = xhr.getResponseHeader("HX-Retarget") === "#messages";
    var banner = e.detail.target && e.detail.target.id === "banner";
    if ((retargeted && (xhr.status === 400 || xhr.status === 413)) || (banner && (xhr.status === 422 || xhr.status === 413))) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
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
    if (!textarea || !editor || box.dataset.rteReady) return;
    box.dataset.rteReady = "1";
    /* The editor stands in for the textarea: it is described by the same help and error texts. */
    ["aria-describedby", "aria-invalid"].forEach(function (name) {
      var value = textarea.getAttribute(name);
      if (value) editor.setAttribute(name, value);
    });
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
  /* Forms swapped in by htmx (the conversation editor's message form) get the same editor. */
  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll("[data-rte]:not([data-rte-ready])").forEach(initRte);
  });

  /* ---------- Lead gen form picker (linkedin/_lead_form_picker.html) ----------
     The account's forms from LinkedIn; choosing one fills the URN field beside it, which stays the
     form's field (so a form can still be named by URN when LinkedIn can't be asked). */
  function pickerSync(picker) {
    var input = document.getElementById(picker.dataset.for);
    var select = picker.querySelector("select");
    var status = picker.querySelector("[data-leadform-status]");
    if (!input || !select) return;
    var value = input.value.trim();
    var option = Array.prototype.find.call(select.options, function (o) { return o.value && o.value === value; });
    select.value = option && !option.disabled ? value : "";
    if (!status) return;
    if (!value) status.textContent = "Or type the form's URN below.";
    else if (!option) status.textContent = value + " isn't one of this account's lead forms.";
    else if (option.disabled) status.textContent = "Opens “" + option.dataset.name + "”, which is " + option.dataset.state + ": LinkedIn won't show it to members.";
    else status.textContent = "Opens “" + option.dataset.name + "” (" + option.dataset.state + ").";
  }
  function pickersIn(root) { root.querySelectorAll("[data-leadform-picker]").forEach(pickerSync); }
  on(document, "change", "[data-leadform-picker] select", function (_e, select) {
    var picker = select.closest("[data-leadform-picker]");
    var input = document.getElementById(picker.dataset.for);
    if (!input || !select.value) return;
    input.value = select.value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
    pickerSync(picker);
  });
  document.addEventListener("input", function (e) {
    var id = e.target && e.target.id;
    if (!id) return;
    document.querySelectorAll("[data-leadform-picker]").forEach(function (picker) {
      if (picker.dataset.for === id) pickerSync(picker);
    });
  });
  document.addEventListener("htmx:afterSettle", function () { pickersIn(document); });
})();

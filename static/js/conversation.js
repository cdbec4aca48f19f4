/* Conversation editor: the working copy, the diagram's view and keys, on top of htmx.
   Everything works without this file (plain links and forms); it adds what a flow builder should have. */
(function () {
  "use strict";

  var TRACKED = "#conv-settings-form, form.conv-message-form";
  var SKIP = { csrfmiddlewaretoken: 1, base_version: 1, base_edit: 1, plan_version: 1, op: 1 };

  var domReady = document.readyState === "complete";
  document.addEventListener("DOMContentLoaded", function () { domReady = true; });
  function whenReady(fn) {
    if (domReady) fn();
    else document.addEventListener("DOMContentLoaded", function () { window.setTimeout(fn, 0); });
  }
  function workspace() { return document.getElementById("conv-workspace"); }
  function adId() { var w = workspace(); return w ? w.getAttribute("data-conv-ad") : ""; }
  function store() { try { return window.sessionStorage; } catch (_err) { return null; } }

  /* ---------- Show "Leads to" or "Website" according to what each reply button does ---------- */
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

  /* ---------- The working copy: nothing typed is lost ----------
     Every change to the details or to a message is kept in this tab (sessionStorage) until the server
     saved it. Clicking another message swaps the form; clicking back brings the typed text back, the
     diagram marks messages with unsaved text, and leaving the page asks first. */
  function keyOf(form) { return "conv-wc:" + adId() + ":" + form.id; }
  function valuesOf(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || el.disabled && !el.closest("fieldset[disabled]")) return;
      if (el.type === "file" || el.type === "submit" || el.type === "button") return;
      if (el.type === "radio") { if (el.checked) values[el.name] = el.value; return; }
      if (el.type === "checkbox") { values[el.name] = el.checked ? "on" : ""; return; }
      values[el.name] = el.value;
    });
    return values;
  }
  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }
  function apply(form, values) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in values) || SKIP[el.name]) return;
      if (el.type === "radio") el.checked = el.value === values[el.name];
      else if (el.type === "checkbox") el.checked = values[el.name] === "on";
      else if (el.type !== "file" && el.type !== "submit" && el.type !== "button") el.value = values[el.name];
    });
  }
  function readCopy(form) {
    var s = store();
    if (!s) return null;
    try { return JSON.parse(s.getItem(keyOf(form)) || "null"); } catch (_err) { return null; }
  }
  function writeCopy(form) {
    var s = store();
    if (!s || !form.dataset.original) return;
    var now = valuesOf(form);
    var dirty = form.dataset.unsavedFromServer === "1" || !same(now, JSON.parse(form.dataset.original));
    try {
      if (dirty) s.setItem(keyOf(form), JSON.stringify({ values: now, at: Date.now() }));
      else s.removeItem(keyOf(form));
    } catch (_err) { /* storage full: the guard still asks before leaving */ }
    showDirty();
  }
  function dropCopy(form) {
    var s = store();
    if (s) s.removeItem(keyOf(form));
    delete form.dataset.unsavedFromServer;
    form.dataset.original = JSON.stringify(valuesOf(form));
    showDirty();
  }
  function copies() {
    var s = store(), found = [], prefix = "conv-wc:" + adId() + ":";
    if (!s || !adId()) return found;
    for (var i = 0; i < s.length; i++) {
      var key = s.key(i);
      if (key && key.indexOf(prefix) === 0) found.push(key.slice(prefix.length));
    }
    return found;
  }
  function showDirty() {
    var ids = copies();
    document.querySelectorAll(TRACKED).forEach(function (form) {
      var dirty = ids.indexOf(form.id) !== -1;
      form.querySelectorAll("[data-wc-indicator]").forEach(function (el) { el.hidden = !dirty; });
    });
    document.querySelectorAll(".conv-node").forEach(function (node) {
      var dirty = ids.indexOf("msg-" + node.getAttribute("data-message")) !== -1;
      node.classList.toggle("conv-node-unsaved", dirty);
      var label = node.getAttribute("aria-label") || "";
      var base = label.replace(/, unsaved changes$/, "");
      node.setAttribute("aria-label", dirty ? base + ", unsaved changes" : base);
    });
    var diagram = document.getElementById("conv-diagram");
    if (diagram) diagram.classList.toggle("has-unsaved", ids.length > 0);
  }
  function initForms(root) {
    var nodes = {};
    root.querySelectorAll(".conv-node").forEach(function (n) { nodes["msg-" + n.getAttribute("data-message")] = 1; });
    /* Copies of messages that no longer exist (deleted) have nothing to come back to. */
    var s = store();
    if (s && root.querySelector(".conv-node")) {
      copies().forEach(function (id) { if (id.indexOf("msg-m") === 0 && !nodes[id]) s.removeItem("conv-wc:" + adId() + ":" + id); });
    }
    root.querySelectorAll(TRACKED).forEach(function (form) {
      if (form.dataset.wcReady) return;
      form.dataset.wcReady = "1";
      if (form.querySelector("fieldset[disabled]")) return;
      form.dataset.original = JSON.stringify(valuesOf(form));
      /* A form the server sent back refused (422, 409) holds what was typed: still unsaved. */
      if (form.querySelector(".form-error, .field-invalid, [data-conflict]")) form.dataset.unsavedFromServer = "1";
      var copy = readCopy(form);
      if (copy && copy.values && !same(copy.values, valuesOf(form))) {
        apply(form, copy.values);
        syncButtonFields(form);
        form.dataset.restored = "1";
        var note = form.querySelector("[data-wc-restored]");
        if (note) note.hidden = false;
        /* The live check and the preview see the restored text (once htmx listens). */
        whenReady(function () { form.dispatchEvent(new Event("change", { bubbles: true })); schedulePreview(); });
      }
      writeCopy(form);
    });
    showDirty();
  }
  document.addEventListener("input", function (e) {
    var form = e.target.closest && e.target.closest(TRACKED);
    if (form && form.dataset.original) writeCopy(form);
  });
  document.addEventListener("change", function (e) {
    var form = e.target.closest && e.target.closest(TRACKED);
    if (form && form.dataset.original && e.target !== form) writeCopy(form);
  });
  /* Saved (2xx): the server has it. Refused: the copy stays. */
  document.addEventListener("htmx:afterRequest", function (e) {
    var elt = e.detail.elt;
    var form = elt && elt.matches && elt.matches(TRACKED) ? elt : null;
    if (form && e.detail.successful && e.detail.xhr.status < 300) {
      var s = store();
      if (s) s.removeItem(keyOf(form));
    }
  });
  document.addEventListener("click", function (e) {
    var discard = e.target.closest && e.target.closest("[data-wc-discard]");
    if (!discard) return;
    var form = discard.closest(TRACKED);
    if (!form) return;
    var s = store();
    if (s) s.removeItem(keyOf(form));
    var node = document.querySelector(".conv-node[aria-current=true]");
    var url = node ? node.getAttribute("hx-get") : null;
    if (window.htmx && url) window.htmx.ajax("GET", url, { target: "#conv-workspace", swap: "outerHTML" });
    else window.location.reload();
  });
  /* The tree's adds, deletes, moves and relinks are kept on the server but not yet in a revision. */
  function treeUnsaved() { return !!document.querySelector("[data-tree-unsaved]"); }
  window.addEventListener("beforeunload", function (e) {
    if (copies().length || treeUnsaved()) { e.preventDefault(); e.returnValue = ""; }
  });

  /* ---------- "Submit for review" saves what is typed first, then submits that revision ----------
     The submit form posts to the review; without this, what is typed and unsaved would stay behind
     (the old revision submitted, the browser's generic "leave site?" dialog in between). Each open
     form with unsaved edits is saved through its own Save button (htmx, the server's checks apply),
     one after the other; when every save went through, the submission goes, with the new revision.
     A refused save submits nothing and keeps what was typed, beside the marked fields. Unsaved text
     in a message that is not open can't be saved from here: the page says which, and submits nothing. */
  var submitting = null;
  function say(text, level) {
    var box = document.getElementById("messages");
    if (!box) return;
    var div = document.createElement("div");
    div.className = "message message-" + level;
    div.setAttribute("role", level === "error" ? "alert" : "status");
    div.textContent = text;
    var close = document.createElement("button");
    close.type = "button"; close.className = "message-close"; close.setAttribute("aria-label", "Dismiss");
    close.setAttribute("data-dismiss", ""); close.textContent = "×";
    div.appendChild(close);
    box.appendChild(div);
  }
  function unsavedOpenForms() {
    var s = store();
    return Array.prototype.filter.call(document.querySelectorAll(TRACKED), function (form) {
      if (!form.dataset.original || form.querySelector("fieldset[disabled]")) return false;
      return form.dataset.unsavedFromServer === "1" || !!(s && s.getItem(keyOf(form)));
    });
  }
  function labelOf(id) {
    var node = document.querySelector(".conv-node[data-message='" + id.replace(/^msg-m/, "") + "']");
    return node ? "“" + node.getAttribute("data-label") + "”" : "a message";
  }
  /* The forms to save for one Save, in the order that writes one revision: the open message first,
     kept in the tree without a revision (op "keep"), then the details, whose save writes the revision
     of everything. */
  function saveOrder(forms) {
    var ids = forms.map(function (f) { return f.id; });
    return ids.filter(function (id) { return id !== "conv-settings-form"; })
      .concat(ids.filter(function (id) { return id === "conv-settings-form"; }));
  }
  function submitButton() { return document.querySelector("#conv-head [data-submit-review]"); }
  function saveNextThenSubmit() {
    if (!submitting) return;
    var id = submitting.pending.shift();
    if (id) {
      var form = document.getElementById(id);
      var save = form && (form.querySelector("button[name=op][value=save]") || form.querySelector("button[type=submit].btn-primary"));
      if (!form || !save) { submitting = null; say("Not submitted: your changes could not be saved from here. Save them, then submit.", "error"); return; }
      submitting.waiting = id;
      form.addEventListener("htmx:afterRequest", function saved(e) {
        if (e.detail.elt !== form) return;  /* the live check inside the form answers here too */
        form.removeEventListener("htmx:afterRequest", saved);
        whenSaved(form, e);
      });
      if (submitting.pending.length && form.matches("form.conv-message-form") && window.htmx) {
        window.htmx.ajax("POST", form.getAttribute("hx-post"), { source: form, target: "#conv-workspace", swap: "outerHTML", values: { op: "keep" } });
      } else {
        form.requestSubmit(save);
      }
      return;
    }
    if (submitting.then === "save") { submitting = null; return; }
    submitting = null;
    var button = submitButton();
    if (!button || !button.form) { say("Saved, but not submitted: this ad can't be submitted in its state now.", "error"); return; }
    button.form.submit();
  }
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!workspace() || !form.querySelector || !form.querySelector("[data-submit-review]")) return;
    if (submitting) { e.preventDefault(); return; }
    var open = unsavedOpenForms();
    var away = copies().filter(function (id) { return !document.getElementById(id); });
    if (!open.length && !away.length && !treeUnsaved()) return;
    e.preventDefault();
    if (away.length) {
      say("Not submitted: " + away.map(labelOf).join(", ") + (away.length > 1 ? " have" : " has") +
          " unsaved text. Open " + (away.length > 1 ? "each" : "it") + " and save or discard it, then submit.", "error");
      return;
    }
    /* Any save writes the revision of the whole tree; with no form to save, the tree's own Save does. */
    var pending = open.length ? saveOrder(open) : ["conv-tree-save"];
    submitting = { pending: pending, waiting: null };
    var announcer = document.getElementById("announcer");
    if (announcer) announcer.textContent = "Saving your changes before submitting.";
    saveNextThenSubmit();
  });
  /* The tree's "Save" with a form holding typed text: that form's save writes the one revision of
     everything (its text and the tree); with text in the details too, the message is kept first and
     the details' save writes that one revision (saveOrder). */
  /* htmx sends the form's request from its own submit listener: stop it before it goes, not the submit. */
  document.addEventListener("htmx:beforeRequest", function (e) {
    var form = e.detail.elt;
    if (!form || form.id !== "conv-tree-save" || submitting) return;
    var open = unsavedOpenForms();
    var away = copies().filter(function (id) { return !document.getElementById(id); });
    if (!open.length) return;
    e.preventDefault();
    if (away.length) say(away.map(labelOf).join(", ") + " also " + (away.length > 1 ? "have" : "has") + " unsaved text: open it to save it.", "error");
    submitting = { pending: saveOrder(open), waiting: null, then: "save" };
    saveNextThenSubmit();
  });
  /* On the form itself: a save swaps it out, and htmx then tells its nearest parent still on the page. */
  function whenSaved(form, e) {
    if (!submitting || submitting.waiting !== form.id) return;
    submitting.waiting = null;
    if (e.detail.successful && e.detail.xhr.status < 300) {
      submitting.next = true;  /* once the answer has settled (the forms re-initialised) */
    } else {
      var only = submitting.then === "save";
      submitting = null;
      window.setTimeout(function () {
        if (!only) say("Not submitted: your changes were not saved. Fix what is marked; everything you typed is still here.", "error");
      }, 50);
    }
  }
  document.addEventListener("htmx:afterSettle", function () {
    if (submitting && submitting.next) { submitting.next = false; window.setTimeout(saveNextThenSubmit, 0); }
  });

  /* ---------- The live preview follows what is typed, saved or not ----------
     The frame shows the saved revision (a GET its reply links can walk); while a form holds unsaved
     edits, the same view is asked by POST for the inbox as the forms hold it now, drawn in srcdoc. */
  var previewTimer = null, previewAbort = null;
  function livePreview() {
    var frame = document.querySelector("iframe[name=conv-preview][data-live-url]");
    var message = document.querySelector("form.conv-message-form");
    var details = document.getElementById("conv-settings-form");
    if (!frame || !window.fetch) return;
    if (!dirty(message) && !dirty(details) && !treeUnsaved()) {
      /* Nothing unsaved (typed back, or just saved): the frame shows the saved revision, walkable. */
      if (frame.hasAttribute("srcdoc")) frame.removeAttribute("srcdoc");
      return;
    }
    var body = new URLSearchParams();
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (message && message.dataset.original) {
      var values = valuesOf(message);
      Object.keys(values).forEach(function (k) { body.append(k, values[k]); });
      body.append("message", message.getAttribute("data-message"));
    }
    if (details && details.dataset.original) {
      var d = valuesOf(details);
      if ("subject" in d) body.append("subject", d.subject);
      if ("sender" in d) body.append("sender", d.sender);
      if ("banner" in d) body.append("banner", d.banner);
    }
    var persona = document.getElementById("conv-persona"), device = document.getElementById("conv-device");
    if (persona) body.append("persona", persona.value);
    if (device) body.append("device", device.value);
    if (previewAbort) previewAbort.abort();
    previewAbort = typeof AbortController === "function" ? new AbortController() : null;
    window.fetch(frame.getAttribute("data-live-url"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "" },
      signal: previewAbort ? previewAbort.signal : undefined
    }).then(function (r) { return r.ok ? r.text() : null; }).then(function (html) {
      if (html === null) return;
      frame.srcdoc = html;
      var caption = document.querySelector("[data-preview-caption]");
      if (caption) caption.textContent = "Your unsaved edits, as the member will see them. Save to keep them; walking a path shows the saved conversation.";
    }).catch(function () { /* aborted by a newer edit, or offline: the frame keeps what it showed */ });
  }
  function dirty(form) {
    return !!(form && form.dataset.original && form.dataset.original !== JSON.stringify(valuesOf(form)));
  }
  function cancelPreview() {
    window.clearTimeout(previewTimer);
    if (previewAbort) previewAbort.abort();
  }
  /* A save redraws the frame from the saved revision: an unsaved preview still on its way must not
     land on top of it (or on top of a path the person has started walking in it). */
  document.addEventListener("submit", function (e) {
    if (e.target.closest && e.target.closest(TRACKED)) cancelPreview();
  }, true);
  function schedulePreview() {
    window.clearTimeout(previewTimer);
    previewTimer = window.setTimeout(livePreview, 300);
  }
  document.addEventListener("input", function (e) {
    if (e.target.closest && e.target.closest(TRACKED)) schedulePreview();
  });
  document.addEventListener("change", function (e) {
    if (e.target.closest && e.target.closest(TRACKED)) schedulePreview();
  });

  /* ---------- The diagram: zoom, fit, pan, the selected message in view ---------- */
  var MIN = 0.2, MAX = 2;
  /* "auto" (until the person zooms): the whole tree when it is readable fitted (50% or more), else 80%
     with the open message in view. "fit" always fits; "manual" keeps the chosen zoom. */
  var AUTO_FLOOR = 0.5, AUTO_SCALE = 0.8;
  var view = { mode: "auto", scale: 1 };
  var scrollKept = null;
  function zoomKey() { return "conv-zoom:" + adId(); }
  function loadView() {
    var s = store();
    try { var v = s && JSON.parse(s.getItem(zoomKey()) || "null"); if (v && v.mode) view = v; } catch (_err) { /* default */ }
  }
  function saveView() { var s = store(); if (s) try { s.setItem(zoomKey(), JSON.stringify(view)); } catch (_err) { /* fine */ } }
  function parts() {
    var diagram = document.getElementById("conv-diagram");
    if (!diagram) return null;
    var box = diagram.querySelector("[data-diagram-view]"), svg = diagram.querySelector("svg.conv-svg");
    if (!box || !svg) return null;
    return { diagram: diagram, box: box, svg: svg, w: +diagram.dataset.width, h: +diagram.dataset.height };
  }
  function fitScale(p) {
    var maxHeight = parseFloat(window.getComputedStyle(p.box).maxHeight) || window.innerHeight * 0.7;
    var s = Math.min(1, (p.box.clientWidth - 2) / p.w, (maxHeight - 2) / p.h);
    return Math.max(MIN, Math.floor(s * 100) / 100);
  }
  function render(p) {
    var fitted = fitScale(p);
    var scale = view.mode === "fit" ? fitted : view.mode === "auto" ? (fitted >= AUTO_FLOOR ? fitted : AUTO_SCALE) : view.scale;
    p.svg.setAttribute("width", String(Math.round(p.w * scale)));
    p.svg.setAttribute("height", String(Math.round(p.h * scale)));
    p.diagram.dataset.scale = String(scale);
    var level = p.diagram.querySelector("[data-zoom-level]");
    if (level) level.textContent = Math.round(scale * 100) + "%";
    var fit = p.diagram.querySelector("[data-zoom=fit]");
    if (fit) fit.setAttribute("aria-pressed", String(view.mode === "fit"));
    return scale;
  }
  function reveal(p, node, center) {
    if (!node) return;
    var scale = +p.diagram.dataset.scale || 1;
    var x = +node.dataset.x * scale, y = +node.dataset.y * scale, w = 220 * scale, h = +node.dataset.h * scale;
    var b = p.box, pad = 16;
    var outX = x < b.scrollLeft + pad || x + w > b.scrollLeft + b.clientWidth - pad;
    var outY = y < b.scrollTop + pad || y + Math.min(h, b.clientHeight / 2) > b.scrollTop + b.clientHeight - pad;
    if (outX || center) b.scrollLeft = Math.max(0, x + w / 2 - b.clientWidth / 2);
    if (outY || center) b.scrollTop = Math.max(0, y + Math.min(h, b.clientHeight) / 2 - b.clientHeight / 2);
  }
  function initDiagram() {
    var p = parts();
    if (!p) return;
    var tools = p.diagram.querySelector("[data-diagram-tools]");
    if (tools) tools.hidden = false;
    render(p);
    if (scrollKept) { p.box.scrollLeft = scrollKept[0]; p.box.scrollTop = scrollKept[1]; scrollKept = null; }
    reveal(p, p.svg.querySelector(".conv-node[aria-current=true]"), false);
    if (!p.svg.querySelector(".conv-node[tabindex='0']")) {
      var first = p.svg.querySelector(".conv-node");
      if (first) first.setAttribute("tabindex", "0");
    }
    showDirty();
  }
  function zoom(how) {
    var p = parts();
    if (!p) return;
    var current = +p.diagram.dataset.scale || 1;
    var cx = (p.box.scrollLeft + p.box.clientWidth / 2) / current, cy = (p.box.scrollTop + p.box.clientHeight / 2) / current;
    if (how === "fit") view = { mode: "fit", scale: fitScale(p) };
    else if (how === "actual") view = { mode: "manual", scale: 1 };
    else view = { mode: "manual", scale: Math.min(MAX, Math.max(MIN, Math.round((current * (how === "in" ? 1.25 : 0.8)) * 100) / 100)) };
    saveView();
    var scale = render(p);
    p.box.scrollLeft = Math.max(0, cx * scale - p.box.clientWidth / 2);
    p.box.scrollTop = Math.max(0, cy * scale - p.box.clientHeight / 2);
    var announcer = document.getElementById("announcer");
    if (announcer) announcer.textContent = "Diagram at " + Math.round(scale * 100) + "%" + (view.mode === "fit" ? ", fitted to the screen." : ".");
  }
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-zoom]");
    if (button) zoom(button.getAttribute("data-zoom"));
  });
  document.addEventListener("wheel", function (e) {
    if (!(e.ctrlKey || e.metaKey) || !e.target.closest || !e.target.closest("[data-diagram-view]")) return;
    e.preventDefault();
    zoom(e.deltaY < 0 ? "in" : "out");
  }, { passive: false });
  /* Drag the background to pan (messages stay clickable). */
  var drag = null;
  document.addEventListener("pointerdown", function (e) {
    var box = e.target.closest && e.target.closest("[data-diagram-view]");
    if (!box || e.button !== 0 || e.target.closest(".conv-node")) return;
    drag = { box: box, x: e.clientX, y: e.clientY, left: box.scrollLeft, top: box.scrollTop };
    box.classList.add("is-panning");
  });
  document.addEventListener("pointermove", function (e) {
    if (!drag) return;
    drag.box.scrollLeft = drag.left - (e.clientX - drag.x);
    drag.box.scrollTop = drag.top - (e.clientY - drag.y);
  });
  document.addEventListener("pointerup", function () {
    if (drag) drag.box.classList.remove("is-panning");
    drag = null;
  });
  window.addEventListener("resize", function () { if (view.mode !== "manual") { var p = parts(); if (p) render(p); } });

  /* ---------- Keys: arrows between messages, Enter opens, Escape back to the diagram, Ctrl+S saves ---------- */
  var openedByKey = false;
  function nodes() { return Array.prototype.slice.call(document.querySelectorAll("#conv-diagram .conv-node")); }
  function position(n) { return { x: +n.dataset.x, y: +n.dataset.y }; }
  function nextNode(from, key) {
    var a = position(from), best = null, bestScore = Infinity;
    nodes().forEach(function (n) {
      if (n === from) return;
      var b = position(n), dx = b.x - a.x, dy = b.y - a.y, score;
      if (key === "ArrowRight" && dx > 0) score = dx * 10 + Math.abs(dy);
      else if (key === "ArrowLeft" && dx < 0) score = -dx * 10 + Math.abs(dy);
      else if (key === "ArrowDown" && dx === 0 && dy > 0) score = dy;
      else if (key === "ArrowUp" && dx === 0 && dy < 0) score = -dy;
      else return;
      if (score < bestScore) { bestScore = score; best = n; }
    });
    return best;
  }
  function focusNode(n) {
    nodes().forEach(function (m) { m.setAttribute("tabindex", m === n ? "0" : "-1"); });
    n.focus();
    var p = parts();
    if (p) reveal(p, n, false);
  }
  document.addEventListener("keydown", function (e) {
    var node = e.target.closest && e.target.closest("#conv-diagram .conv-node");
    if (node) {
      var all = nodes(), target = null;
      if (e.key === "Home") target = all[0];
      else if (e.key === "End") target = all[all.length - 1];
      else if (/^Arrow/.test(e.key)) target = nextNode(node, e.key);
      if (/^Arrow|Home|End/.test(e.key)) {
        e.preventDefault();
        if (target) focusNode(target);
        return;
      }
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        openedByKey = true;
        node.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true }));
        return;
      }
    }
    var form = e.target.closest && e.target.closest("form.conv-message-form");
    if (form && e.key === "Escape" && e.target.tagName !== "SELECT") {
      var current = document.querySelector("#conv-diagram .conv-node[aria-current=true]");
      if (current) { e.preventDefault(); focusNode(current); }
      return;
    }
    /* Ctrl+Z outside a text field: undo the last change to the tree (the header's Undo). */
    if ((e.ctrlKey || e.metaKey) && !e.shiftKey && (e.key === "z" || e.key === "Z")) {
      var t = e.target;
      var typing = t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName || "");
      var undo = document.querySelector("[data-undo]");
      if (!typing && undo) { e.preventDefault(); undo.click(); }
      return;
    }
    if ((e.ctrlKey || e.metaKey) && (e.key === "s" || e.key === "S")) {
      var target2 = (e.target.closest && e.target.closest(TRACKED)) || document.querySelector("form.conv-message-form") ||
        document.getElementById("conv-tree-save");
      if (!target2 || target2.querySelector("fieldset[disabled]")) return;
      e.preventDefault();
      var save = target2.querySelector("button[name=op][value=save]") || target2.querySelector("button[type=submit].btn-primary");
      if (save) save.click();
    }
  });

  /* ---------- After every swap ---------- */
  function announceSelection() {
    var current = document.querySelector("#conv-diagram .conv-node[aria-current=true]");
    var announcer = document.getElementById("announcer");
    if (current && announcer && openedByKey) announcer.textContent = "Editing " + current.getAttribute("data-label") + ".";
  }
  function afterWorkspace() {
    var w = workspace();
    if (!w) return;
    syncButtonFields(w);
    initForms(w);
    initDiagram();
    if (openedByKey) {
      announceSelection();
      var field = document.getElementById("msg-name");
      if (field) field.focus();
      openedByKey = false;
    }
  }
  /* A live check still in flight when the workspace is replaced (another message opened) answers
     about a form no longer on the page: its diagram would mark the old message current again over
     the one now open. htmx tells only the detached element itself, so each check carries its guard from its first request. */
  document.addEventListener("htmx:beforeRequest", function (e) {
    var check = e.detail.elt;
    if (!check || !check.matches || !check.matches("[data-live-check]") || check.dataset.liveCheckGuarded) return;
    check.dataset.liveCheckGuarded = "1";
    check.addEventListener("htmx:beforeSwap", function (swap) { if (!check.isConnected) swap.preventDefault(); });
  });
  document.addEventListener("htmx:beforeSwap", function (e) {
    var target = e.detail.target;
    if (target && (target.id === "conv-workspace" || target.getAttribute("hx-swap") === "none")) {
      var p = parts();
      if (p) scrollKept = [p.box.scrollLeft, p.box.scrollTop];
    }
  });
  document.addEventListener("htmx:oobAfterSwap", function (e) {
    if (e.detail.target && e.detail.target.id === "conv-diagram") initDiagram();
  });
  document.addEventListener("htmx:afterSwap", function () {
    var w = workspace();
    if (w && !w.dataset.convReady) { w.dataset.convReady = "1"; afterWorkspace(); }
  });
  document.addEventListener("htmx:afterSettle", function (e) {
    var target = e.detail.elt;
    var w = workspace();
    if (w && !w.dataset.convReady) { w.dataset.convReady = "1"; afterWorkspace(); }
    /* htmx settles the class of elements with an id (the diagram's messages) after the swap: mark again. */
    showDirty();
    if (target && target.id === "conv-workspace") {
      /* app.js scales the preview frame on resize; a swapped frame needs the same. */
      window.dispatchEvent(new Event("resize"));
      /* The frame's src is the saved revision: with tree changes not yet saved, draw the tree as it is. */
      if (treeUnsaved()) schedulePreview();
    }
    if (target && target.id === "conv-diagram") initDiagram();
    /* A banner uploaded (or refused) beside the details: part of the working copy and the preview. */
    if (target && target.id === "banner") {
      var form = target.closest(TRACKED);
      if (form && form.dataset.original) { writeCopy(form); schedulePreview(); }
    }
  });
  document.addEventListener("click", function (e) {
    var remove = e.target.closest && e.target.closest("[data-remove-banner]");
    var form = remove && remove.closest(TRACKED);
    if (form) window.setTimeout(function () { writeCopy(form); schedulePreview(); }, 0);
  }, true);

  /* Deferred: the page is parsed, app.js has not yet turned textareas into rich-text editors, so the
     working copy is restored into the textarea the editor then shows. */
  loadView();
  var first = workspace();
  if (first) { first.dataset.convReady = "1"; afterWorkspace(); }
})();

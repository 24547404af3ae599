/* Authoring pages: send the forms to /api/v1/authoring with fetch and show the answers.
   Plain JavaScript, no build step. UI text comes translated from the page (#author-data). */
(function () {
  "use strict";
  var dataNode = document.getElementById("author-data");
  if (!dataNode) return;
  var DATA = JSON.parse(dataNode.textContent);
  var L = DATA.labels || {};
  var COURSE = DATA.course;
  var API = "/api/v1/authoring";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function api(method, url, body, headers) {
    var options = { method: method, credentials: "same-origin", headers: headers || {} };
    options.headers["X-CSRFToken"] = csrf;
    if (body instanceof FormData) options.body = body;
    else if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (r) {
      return r.text().then(function (t) {
        var json = null;
        try { json = t ? JSON.parse(t) : null; } catch (e) { json = null; }
        return { status: r.status, ok: r.ok, json: json };
      });
    });
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function say(form, result, okText) {
    var box = form.querySelector(".status");
    if (!box) return;
    box.textContent = "";
    clearMarks(form);
    box.className = "status " + (result.ok ? "ok" : "error");
    if (result.ok) { box.textContent = okText || L.saved; return; }
    var error = (result.json && result.json.error) || { message: String(result.status) };
    box.appendChild(el("strong", {}, (result.status === 409 ? L.conflict : L.failed) + " "));
    box.appendChild(document.createTextNode(error.message));
    if (error.problems && error.problems.length) {
      var list = el("ul", { "class": "problems" });
      error.problems.forEach(function (p) {
        list.appendChild(el("li", {}, p.file + (p.line ? ":" + p.line : "") + ": " + p.message));
      });
      box.appendChild(list);
      error.problems.forEach(function (p) { markField(form, p.message); });
    }
  }

  // Show a problem at its field too: a question by its id, else a field by its name.
  function markField(form, message) {
    var target = null;
    var question = /question '([^']+)'/.exec(message);
    if (question) {
      form.querySelectorAll(".question").forEach(function (block) {
        if (block.querySelector(".q-id").value.trim() === question[1]) target = block;
      });
    } else {
      var name = /'([a-z_]+)'/.exec(message);
      if (name && form.elements[name[1]] && form.elements[name[1]].closest) target = form.elements[name[1]].closest("label");
    }
    if (!target) return;
    target.classList.add("has-problem");
    var note = el("p", { "class": "field-problem", role: "alert" }, message);
    target.appendChild(note);
    var input = target.querySelector("input, textarea, select");
    if (input) input.setAttribute("aria-invalid", "true");
  }

  function clearMarks(form) {
    form.querySelectorAll(".field-problem").forEach(function (n) { n.remove(); });
    form.querySelectorAll(".has-problem").forEach(function (n) { n.classList.remove("has-problem"); });
    form.querySelectorAll("[aria-invalid]").forEach(function (n) { n.removeAttribute("aria-invalid"); });
  }

  function lines(text) {
    return (text || "").split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
  }
  function checked(form, name) {
    return Array.prototype.map.call(form.querySelectorAll('input[name="' + name + '"]:checked'),
      function (i) { return i.value; });
  }
  function value(form, name) { var f = form.elements[name]; return f ? f.value : ""; }
  function setIf(meta, key, val) { if (val !== "" && val !== null && !(Array.isArray(val) && !val.length)) meta[key] = val; }
  function itemUrl(kind, id, lang) {
    return API + "/courses/" + COURSE + "/" + kind + "/" + id + (lang ? "?translation=" + lang : "");
  }
  function itemId() { return DATA.item && DATA.item.id; }

  // ------------------------------------------------------------ courses
  function createCourse(form, copy) {
    var body = { id: value(form, "id") };
    if (copy) { body.copy_from = value(form, "copy_from"); if (value(form, "title")) body.title = value(form, "title"); }
    else {
      body.title = value(form, "title"); body.grades = checked(form, "grades");
      body.language = value(form, "language"); body.summary = value(form, "summary");
    }
    api("POST", API + "/courses", body).then(function (r) {
      say(form, r);
      if (r.ok) window.location.href = "/teach/author/" + body.id;
    });
  }

  function saveCourse(form) {
    var body = { title: value(form, "title"), summary: value(form, "summary"), grades: checked(form, "grades"),
      version: form.getAttribute("data-version") };
    var other = form.getAttribute("data-other");
    if (value(form, "tr_title").trim()) {
      body.translations = {};
      body.translations[other] = { title: value(form, "tr_title"), summary: value(form, "tr_summary") };
    }
    api("PUT", API + "/courses/" + COURSE, body).then(function (r) {
      if (r.ok) form.setAttribute("data-version", r.json.version);
      say(form, r);
    });
  }

  // ------------------------------------------------------------ lessons and guides
  function saveFile(form, kind, lang, meta, body, versionAttr) {
    var version = form.getAttribute(versionAttr) || "new";
    return api("PUT", itemUrl(kind, itemId(), lang), { meta: meta, body: body, version: version })
      .then(function (r) { if (r.ok) form.setAttribute(versionAttr, r.json.version); return r; });
  }

  function saveLesson(form) {
    var meta = { title: value(form, "title") };
    setIf(meta, "grades", checked(form, "grades"));
    setIf(meta, "minutes", value(form, "minutes") ? parseInt(value(form, "minutes"), 10) : "");
    setIf(meta, "objectives", lines(value(form, "objectives")));
    setIf(meta, "quiz", value(form, "quiz"));
    setIf(meta, "guides", checked(form, "guides"));
    saveFile(form, "lessons", null, meta, value(form, "body"), "data-version").then(function (r) {
      if (!r.ok || !value(form, "tr_body").trim()) return say(form, r);
      var tr = {};
      setIf(tr, "title", value(form, "tr_title"));
      setIf(tr, "objectives", lines(value(form, "tr_objectives")));
      saveFile(form, "lessons", form.getAttribute("data-other"), tr, value(form, "tr_body"),
        "data-tr-version").then(function (r2) { say(form, r2); });
    });
  }

  function saveGuide(form) {
    var meta = { title: value(form, "title") };
    setIf(meta, "grades", checked(form, "grades"));
    ["minutes", "group_size"].forEach(function (k) {
      setIf(meta, k, value(form, k) ? parseInt(value(form, k), 10) : "");
    });
    setIf(meta, "materials", lines(value(form, "materials")));
    setIf(meta, "safety", lines(value(form, "safety")));
    saveFile(form, "guides", null, meta, value(form, "body"), "data-version")
      .then(function (r) { say(form, r); });
  }

  // ------------------------------------------------------------ Markdown preview and images
  var timers = {};
  function preview(textarea) {
    var target = document.getElementById(textarea.getAttribute("data-preview"));
    if (!target) return;
    clearTimeout(timers[target.id]);
    timers[target.id] = setTimeout(function () {
      api("POST", API + "/preview", { markdown: textarea.value, course: COURSE, sections: true })
        .then(function (r) {
          if (!r.ok) return;
          target.textContent = "";
          (r.json.sections || []).forEach(function (s) {
            var section = el("section", { "class": "preview-section" });
            if (s.title) section.appendChild(el("h2", {}, s.title));
            var body = el("div");
            body.innerHTML = s.html; // the server's own sanitised rendering
            section.appendChild(body);
            target.appendChild(section);
          });
        });
    }, 250);
  }

  function insertAtCursor(textarea, text) {
    var start = textarea.selectionStart || textarea.value.length;
    textarea.value = textarea.value.slice(0, start) + text + textarea.value.slice(textarea.selectionEnd || start);
    textarea.focus();
    preview(textarea);
  }

  function uploadImage(input) {
    if (!input.files.length) return;
    var form = new FormData();
    form.append("file", input.files[0]);
    var textarea = document.querySelector('textarea[name="' + input.getAttribute("data-target") + '"]');
    api("POST", API + "/courses/" + COURSE + "/media", form).then(function (r) {
      var owner = input.closest("form");
      if (r.ok) insertAtCursor(textarea, "\n![" + input.files[0].name.replace(/\.[^.]+$/, "") + "](" + r.json.path + ")\n");
      say(owner, r, L.uploaded);
      input.value = "";
    });
  }

  // ------------------------------------------------------------ quizzes
  var CHOICE = { single: "options", multiple: "options", poll: "options", ordering: "items" };
  var CORE_FIELDS = ["id", "type", "prompt", "points", "explain"];

  function field(label, input) {
    var wrap = el("label", {}, label + " ");
    wrap.appendChild(input);
    return wrap;
  }

  function optionRow(box, type, text, isRight, name) {
    var row = el("div", { "class": "option-row" });
    if (type === "single" || type === "multiple") {
      var mark = el("input", { type: type === "single" ? "radio" : "checkbox", name: name, "class": "opt-right", "aria-label": L.right });
      mark.checked = !!isRight;
      row.appendChild(mark);
    }
    var input = el("input", { "class": "opt-text", "aria-label": L.answer });
    input.value = text || "";
    row.appendChild(input);
    [["↑", L.up, -1], ["↓", L.down, 1]].forEach(function (b) {
      var button = el("button", { type: "button", "class": "small secondary", "aria-label": b[1] }, b[0]);
      button.addEventListener("click", function () {
        var sibling = b[2] < 0 ? row.previousElementSibling : row.nextElementSibling;
        if (!sibling || !sibling.classList.contains("option-row")) return;
        if (b[2] < 0) box.insertBefore(row, sibling); else box.insertBefore(sibling, row);
        button.focus();
      });
      row.appendChild(button);
    });
    var remove = el("button", { type: "button", "class": "small secondary" }, L.remove);
    remove.addEventListener("click", function () { row.remove(); });
    row.appendChild(remove);
    box.insertBefore(row, box.querySelector(".add-option"));
  }

  var counter = 0;
  function questionBlock(q, core) {
    counter += 1;
    var block = el("fieldset", { "class": "question", "data-type": q.type });
    block.appendChild(el("legend", {}, L.question + " · " + q.type));
    var id = el("input", { "class": "q-id", pattern: "[a-z0-9_-]+", required: "" });
    id.value = q.id || "q" + counter;
    block.appendChild(field("id", id));
    var prompt = el("textarea", { "class": "q-prompt", rows: "2", required: "" });
    prompt.value = q.prompt || "";
    block.appendChild(field(L.prompt, prompt));
    var type = q.type;
    if (CHOICE[type]) {
      var box = el("div", { "class": "options" });
      var add = el("button", { type: "button", "class": "add-option small" }, L.add_option);
      box.appendChild(add);
      var name = "right-" + counter;
      var rights = type === "single" ? [q.answer] : (q.answers || []);
      (q[CHOICE[type]] || ["", ""]).forEach(function (text, i) { optionRow(box, type, text, rights.indexOf(i) >= 0, name); });
      add.addEventListener("click", function () { optionRow(box, type, "", false, name); });
      block.appendChild(box);
    } else if (type === "truefalse") {
      var select = el("select", { "class": "q-bool" });
      select.appendChild(el("option", { value: "true" }, L["true"]));
      select.appendChild(el("option", { value: "false" }, L["false"]));
      select.value = q.answer === false ? "false" : "true";
      block.appendChild(field(L.answer, select));
    } else if (type === "numeric") {
      [["q-answer", L.answer, q.answer], ["q-tolerance", L.tolerance, q.tolerance], ["q-unit", L.unit, q.unit]].forEach(function (f) {
        var input = el("input", { "class": f[0], type: f[0] === "q-unit" ? "text" : "number", step: "any" });
        input.value = f[2] === undefined ? "" : f[2];
        block.appendChild(field(f[1], input));
      });
    } else if (type === "text") {
      var accept = el("textarea", { "class": "q-accept", rows: "3" });
      accept.value = (q.accept || []).join("\n");
      block.appendChild(field(L.accept, accept));
    } else if (core.indexOf(type) < 0) {
      var extra = {};
      Object.keys(q).forEach(function (k) { if (CORE_FIELDS.indexOf(k) < 0) extra[k] = q[k]; });
      var json = el("textarea", { "class": "q-fields", rows: "5" });
      json.value = JSON.stringify(extra, null, 2);
      block.appendChild(field(L.fields, json));
    }
    var points = el("input", { "class": "q-points", type: "number", min: "0", step: "any" });
    points.value = q.points === undefined ? "" : q.points;
    block.appendChild(field(L.points, points));
    var explain = el("textarea", { "class": "q-explain", rows: "2" });
    explain.value = q.explain || "";
    block.appendChild(field(L.explain, explain));
    var remove = el("button", { type: "button", "class": "small secondary" }, L.remove);
    remove.addEventListener("click", function () { block.remove(); });
    block.appendChild(remove);
    return block;
  }

  function readQuestion(block) {
    var type = block.getAttribute("data-type");
    var q = { id: block.querySelector(".q-id").value.trim(), type: type, prompt: block.querySelector(".q-prompt").value };
    if (CHOICE[type]) {
      var rows = Array.prototype.slice.call(block.querySelectorAll(".option-row"));
      q[CHOICE[type]] = rows.map(function (r) { return r.querySelector(".opt-text").value; });
      var right = rows.map(function (r, i) { var m = r.querySelector(".opt-right"); return m && m.checked ? i : -1; })
        .filter(function (i) { return i >= 0; });
      if (type === "single") q.answer = right.length ? right[0] : -1;
      if (type === "multiple") q.answers = right;
    } else if (type === "truefalse") {
      q.answer = block.querySelector(".q-bool").value === "true";
    } else if (type === "numeric") {
      q.answer = parseFloat(block.querySelector(".q-answer").value);
      if (isNaN(q.answer)) q.answer = "";
      var tol = block.querySelector(".q-tolerance").value;
      if (tol !== "") q.tolerance = parseFloat(tol);
      var unit = block.querySelector(".q-unit").value.trim();
      if (unit) q.unit = unit;
    } else if (type === "text") {
      q.accept = lines(block.querySelector(".q-accept").value);
    } else if (block.querySelector(".q-fields")) {
      var extra = JSON.parse(block.querySelector(".q-fields").value || "{}");
      Object.keys(extra).forEach(function (k) { if (CORE_FIELDS.indexOf(k) < 0) q[k] = extra[k]; });
    }
    var points = block.querySelector(".q-points").value;
    if (points !== "") q.points = parseFloat(points);
    var explain = block.querySelector(".q-explain").value;
    if (explain.trim()) q.explain = explain;
    return q;
  }

  function setupQuiz(form) {
    var box = document.getElementById("questions");
    var core = JSON.parse(box.getAttribute("data-core"));
    ((DATA.item.quiz || {}).questions || []).forEach(function (q) { box.appendChild(questionBlock(q, core)); });
    document.getElementById("add-question").addEventListener("click", function () {
      var block = questionBlock({ type: document.getElementById("new-type").value }, core);
      box.appendChild(block);
      block.querySelector(".q-prompt").focus();
    });
    return core;
  }

  function saveQuiz(form) {
    var questions;
    try {
      questions = Array.prototype.map.call(form.querySelectorAll(".question"), readQuestion);
    } catch (e) {
      return say(form, { ok: false, status: 400, json: { error: { message: L.bad_json } } });
    }
    var body = { title: value(form, "title"), questions: questions, version: form.getAttribute("data-version") || "new" };
    if (value(form, "pass_ratio") !== "") body.pass_ratio = parseFloat(value(form, "pass_ratio"));
    api("PUT", itemUrl("quizzes", itemId()), body).then(function (r) {
      if (r.ok) form.setAttribute("data-version", r.json.version);
      say(form, r);
    });
  }

  // ------------------------------------------------------------ import
  function importFile(form) {
    var data = new FormData(form);
    api("POST", API + "/courses/" + COURSE + "/import", data).then(function (r) {
      if (!r.ok) return say(form, r);
      var box = form.querySelector(".status");
      box.className = "status ok";
      box.textContent = L.imported + " " + r.json.imported + " → " + r.json.path;
      if (r.json.skipped.length) {
        box.appendChild(el("p", {}, L.skipped));
        var list = el("ul", { "class": "problems" });
        r.json.skipped.forEach(function (s) { list.appendChild(el("li", {}, L.line + " " + s.line + ": " + s.reason)); });
        box.appendChild(list);
      }
    });
  }

  // ------------------------------------------------------------ wiring
  document.querySelectorAll("textarea.md-source").forEach(function (t) {
    t.addEventListener("input", function () { preview(t); });
    if (t.value) preview(t);
  });
  document.querySelectorAll("input.md-image").forEach(function (i) {
    i.addEventListener("change", function () { uploadImage(i); });
  });
  document.querySelectorAll("form[data-action]").forEach(function (form) {
    var action = form.getAttribute("data-action");
    if (action === "save-quiz") setupQuiz(form);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var box = form.querySelector(".status");
      if (box) { box.className = "status busy"; box.textContent = L.saving; }
      if (action === "create-course") createCourse(form, false);
      else if (action === "copy-course") createCourse(form, true);
      else if (action === "new-item") window.location.href = "/teach/author/" + COURSE + "/" + form.getAttribute("data-kind") + "/" + value(form, "id");
      else if (action === "save-course") saveCourse(form);
      else if (action === "save-lesson") saveLesson(form);
      else if (action === "save-guide") saveGuide(form);
      else if (action === "save-quiz") saveQuiz(form);
      else if (action === "import") importFile(form);
    });
  });
})();

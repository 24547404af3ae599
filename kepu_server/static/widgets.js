/* Kepu Server: the tablet widgets of the core question types.
 *
 * Registered exactly like a plugin's widget (PLUGIN_API.md):
 *   window.KepuWidgets[type] = function (root, question, response, save) { ... }
 * root is the div.question (the prompt is already in it), question the public dict (never an
 * answer key), response the last saved answer or null, save(newResponse) is called whenever
 * the answer changes. A plugin may replace a core widget by registering the same name first,
 * so nothing here overwrites an existing entry.
 * Strings come from the page (data-strings on [data-me]); no inline script, no network.
 */
(function () {
  "use strict";

  var widgets = (window.KepuWidgets = window.KepuWidgets || {});
  var TEXT = {};
  try {
    var holder = document.querySelector("[data-me]");
    TEXT = holder ? JSON.parse(holder.getAttribute("data-strings") || "{}") : {};
  } catch (e) {
    TEXT = {};
  }
  function t(key, fallback) {
    return TEXT[key] || fallback;
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") node.textContent = attrs[name];
      else node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(child);
    });
    return node;
  }

  function body(root, className) {
    var box = el("div", { class: "widget " + className });
    root.appendChild(box);
    return box;
  }

  // Debounce typing, but never lose the last keystrokes: blur and change send at once.
  function typed(input, send, delay) {
    var timer = null;
    function now() {
      clearTimeout(timer);
      timer = null;
      send(input.value);
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(now, delay || 700);
    });
    input.addEventListener("change", now);
    input.addEventListener("blur", function () {
      if (timer) now();
    });
  }

  // One tappable option (a mark and its text), added to ``box``: every choice widget's button.
  function optionButton(box, attrs, text, onClick) {
    var button = el("button", Object.assign({ type: "button" }, attrs));
    button.appendChild(el("span", { class: "option-mark", "aria-hidden": "true" }));
    button.appendChild(el("span", { class: "option-text", text: text }));
    button.addEventListener("click", onClick);
    box.appendChild(button);
    return button;
  }

  /* ---------------------------------------------------------- single choice, poll */
  function choice(multiple) {
    return function (root, question, response, save) {
      var box = body(root, multiple ? "w-multiple" : "w-single");
      box.setAttribute("role", multiple ? "group" : "radiogroup");
      if (multiple) box.appendChild(el("p", { class: "w-hint", text: t("choose_all", "") }));
      var chosen = multiple ? (Array.isArray(response) ? response.slice() : []) : response;
      var options = question.options || [];
      // A quiz with shuffle_options sends the options in this seat's order and ``order``:
      // the option shown i-th is number order[i] in the file, which is what is saved.
      var order = Array.isArray(question.order) && question.order.length === options.length ? question.order : null;
      var indices = [];
      var buttons = options.map(function (option, shown) {
        var index = order ? order[shown] : shown;
        indices.push(index);
        var attrs = { class: "option", role: multiple ? "checkbox" : "radio", "data-index": String(index) };
        return optionButton(box, attrs, option, function () {
          if (multiple) {
            var at = chosen.indexOf(index);
            if (at >= 0) chosen.splice(at, 1);
            else chosen.push(index);
            chosen.sort(function (a, b) {
              return a - b;
            });
            paint();
            save(chosen.slice());
          } else {
            chosen = index;
            paint();
            save(index);
          }
        });
      });
      function paint() {
        buttons.forEach(function (button, shown) {
          var index = indices[shown];
          var on = multiple ? chosen.indexOf(index) >= 0 : chosen === index;
          button.setAttribute("aria-checked", on ? "true" : "false");
        });
      }
      paint();
    };
  }

  /* ---------------------------------------------------------- true / false */
  function truefalse(root, question, response, save) {
    var box = body(root, "w-truefalse");
    box.setAttribute("role", "radiogroup");
    var buttons = [true, false].map(function (value) {
      var attrs = { class: "option option-" + value, role: "radio", "data-value": String(value) };
      var text = value ? t("true", "True") : t("false", "False");
      return optionButton(box, attrs, text, function () {
        response = value;
        paint();
        save(value);
      });
    });
    function paint() {
      buttons[0].setAttribute("aria-checked", response === true ? "true" : "false");
      buttons[1].setAttribute("aria-checked", response === false ? "true" : "false");
    }
    paint();
  }

  /* ---------------------------------------------------------- numbers and text */
  // Tablet keyboards give full-width digits and commas ("１,９５５"): accept what the server does.
  function parseNumber(text) {
    var clean = String(text).normalize ? String(text).normalize("NFKC") : String(text);
    clean = clean.replace(/,/g, "").trim();
    if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(clean)) return null;
    var value = Number(clean);
    return isFinite(value) ? value : null;
  }

  function numeric(root, question, response, save) {
    var box = body(root, "w-numeric");
    var input = el("input", {
      type: "text",
      inputmode: "decimal",
      autocomplete: "off",
      class: "answer-input",
      "aria-label": t("number_here", "Number"),
      placeholder: t("number_here", ""),
    });
    if (response !== null && response !== undefined) input.value = String(response);
    box.appendChild(input);
    if (question.unit) box.appendChild(el("span", { class: "unit", text: question.unit }));
    var hint = el("p", { class: "w-hint", hidden: "" });
    hint.textContent = t("number_here", "");
    box.appendChild(hint);
    typed(input, function (value) {
      if (!value.trim()) return;
      var number = parseNumber(value);
      hint.hidden = number !== null;
      if (number !== null) save(number);
    });
  }

  function text(root, question, response, save) {
    var box = body(root, "w-text");
    var input = el("input", {
      type: "text",
      maxlength: "1000",
      autocomplete: "off",
      class: "answer-input",
      "aria-label": t("type_here", "Answer"),
      placeholder: t("type_here", ""),
    });
    if (typeof response === "string") input.value = response;
    box.appendChild(input);
    typed(input, function (value) {
      save(value);
    });
  }

  // A plugin type without a widget (or whose script failed) gets a text box; a number typed
  // into it is sent as a number, since that is what such types usually expect.
  function fallback(root, question, response, save) {
    var box = body(root, "w-text w-fallback");
    var input = el("input", {
      type: "text",
      maxlength: "1000",
      autocomplete: "off",
      class: "answer-input",
      "aria-label": t("type_here", "Answer"),
      placeholder: t("type_here", ""),
    });
    if (response !== null && response !== undefined) {
      input.value = typeof response === "string" ? response : JSON.stringify(response);
    }
    if (question.unit) {
      box.appendChild(input);
      box.appendChild(el("span", { class: "unit", text: question.unit }));
    } else {
      box.appendChild(input);
    }
    typed(input, function (value) {
      if (!value.trim()) return;
      var number = parseNumber(value);
      save(number !== null ? number : value);
    });
  }

  /* ---------------------------------------------------------- ordering */
  // Drag with a finger or mouse (pointer events), or tap the arrow buttons: both for children
  // who cannot drag precisely, and for switch and keyboard users.
  function ordering(root, question, response, save) {
    var items = (question.items || []).slice();
    var start = items.slice();
    if (Array.isArray(response) && response.length === items.length) {
      var same = response.slice().sort().join("\u0000") === items.slice().sort().join("\u0000");
      if (same) start = response.slice();
    }
    var box = body(root, "w-ordering");
    box.appendChild(el("p", { class: "w-hint", text: t("drag_hint", "") }));
    var list = el("ol", { class: "order-list" });
    box.appendChild(list);

    function current() {
      return Array.prototype.map.call(list.children, function (li) {
        return li.getAttribute("data-item");
      });
    }
    function changed() {
      refresh();
      save(current());
    }
    function refresh() {
      var rows = list.children;
      for (var i = 0; i < rows.length; i += 1) {
        rows[i].querySelector("[data-up]").disabled = i === 0;
        rows[i].querySelector("[data-down]").disabled = i === rows.length - 1;
      }
    }
    start.forEach(function (item) {
      var li = el("li", { class: "order-item", "data-item": item });
      var handle = el("span", { class: "order-handle", "aria-hidden": "true", text: "☰" });
      var label = el("span", { class: "order-text", text: item });
      var up = el("button", { type: "button", class: "order-move", "data-up": "", "aria-label": t("move_up", "Up") + ": " + item, text: "▲" });
      var down = el("button", { type: "button", class: "order-move", "data-down": "", "aria-label": t("move_down", "Down") + ": " + item, text: "▼" });
      up.addEventListener("click", function () {
        if (li.previousElementSibling) {
          list.insertBefore(li, li.previousElementSibling);
          changed();
          up.disabled ? down.focus() : up.focus();
        }
      });
      down.addEventListener("click", function () {
        if (li.nextElementSibling) {
          list.insertBefore(li.nextElementSibling, li);
          changed();
          down.disabled ? up.focus() : down.focus();
        }
      });
      [handle, label].forEach(function (grip) {
        grip.addEventListener("pointerdown", function (event) {
          drag(event, li);
        });
      });
      li.appendChild(handle);
      li.appendChild(label);
      li.appendChild(up);
      li.appendChild(down);
      list.appendChild(li);
    });
    refresh();

    function drag(event, li) {
      if (event.button !== undefined && event.button !== 0) return;
      event.preventDefault();
      var moved = false;
      li.classList.add("dragging");
      function move(e) {
        var rows = Array.prototype.slice.call(list.children);
        for (var i = 0; i < rows.length; i += 1) {
          var row = rows[i];
          if (row === li) continue;
          var box = row.getBoundingClientRect();
          var middle = box.top + box.height / 2;
          var index = rows.indexOf(li);
          if (i < index && e.clientY < middle) {
            list.insertBefore(li, row);
            moved = true;
            break;
          }
          if (i > index && e.clientY > middle) {
            list.insertBefore(li, row.nextElementSibling);
            moved = true;
            break;
          }
        }
      }
      function end() {
        document.removeEventListener("pointermove", move);
        document.removeEventListener("pointerup", end);
        document.removeEventListener("pointercancel", end);
        li.classList.remove("dragging");
        if (moved) changed();
      }
      document.addEventListener("pointermove", move);
      document.addEventListener("pointerup", end);
      document.addEventListener("pointercancel", end);
    }
  }

  var core = {
    single: choice(false),
    poll: choice(false),
    multiple: choice(true),
    truefalse: truefalse,
    numeric: numeric,
    text: text,
    ordering: ordering,
  };
  Object.keys(core).forEach(function (name) {
    if (!widgets[name]) widgets[name] = core[name];
  });
  // Not a question type: what tablet.js uses for a type nobody registered a widget for.
  window.KepuFallbackWidget = fallback;
  window.KepuParseNumber = parseNumber;
})();

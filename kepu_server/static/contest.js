/* The contest projector: polls GET /api/v1/sessions/<id>/contest, draws the question, the
   countdown (from the server's seconds_left, never the projector's own clock), the answered
   count and, after the reveal, the right answer, explanation and the class's answers as
   CSS bars. Keys: N / → / Page Down (clickers) next, R / B reveal, S stop answering. A key
   pressed while another action is on its way runs after it (the same key twice runs once). */
(function () {
  "use strict";
  var root = document.getElementById("contest");
  if (!root) { return; }
  var url = root.getAttribute("data-contest-url");
  var words = JSON.parse(document.getElementById("contest-words").textContent);
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var stage = root.querySelector("[data-contest-stage]");
  var timer = root.querySelector("[data-contest-timer]");
  var current = null;       // the last contest state
  var receivedAt = 0;       // performance.now() when it arrived
  var drawnKey = null;      // what the stage shows, to redraw only on change
  var busy = false;         // the action on its way to the server, or false
  var pending = null;       // a different action pressed meanwhile, run next

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key]; });
  }

  function secondsLeft() {
    if (!current || current.state !== "open" || current.seconds_left === null) { return null; }
    var left = current.seconds_left - (performance.now() - receivedAt) / 1000;
    return Math.max(0, left);
  }

  function choices(question) {
    if (Array.isArray(question.options)) { return question.options; }
    if (question.type === "truefalse") { return [words["true"], words["false"]]; }
    if (question.type === "ordering" && Array.isArray(question.items)) {
      return question.items.slice().sort();  // never the right order on the projector
    }
    return null;
  }

  function drawBars(dist) {
    var box = el("div", "contest-bars");
    if (!dist || !dist.bars || !dist.bars.length) {
      box.appendChild(el("p", "meta", words.no_answers));
      return box;
    }
    var most = Math.max.apply(null, dist.bars.map(function (b) { return b.count; }).concat([1]));
    dist.bars.forEach(function (bar) {
      var row = el("div", "contest-bar-row" + (bar.correct ? " is-correct" : ""));
      row.setAttribute("data-bar", bar.label);
      row.appendChild(el("span", "contest-bar-label", (bar.correct ? "✓ " : "") + bar.label));
      var track = el("span", "contest-bar-track");
      var fill = el("span", "contest-bar-fill");
      fill.style.width = Math.round(100 * bar.count / most) + "%";
      track.appendChild(fill);
      row.appendChild(track);
      row.appendChild(el("span", "contest-bar-count", bar.count));
      box.appendChild(row);
    });
    return box;
  }

  function drawBoard(board) {
    var box = el("section", "contest-board");
    box.appendChild(el("h2", null, words.leaderboard));
    var list = el("ol");
    board.forEach(function (entry) {
      var li = el("li");
      li.appendChild(el("span", "contest-board-name", entry.name));
      li.appendChild(el("span", "contest-board-points", entry.points + " " + words.points));
      list.appendChild(li);
    });
    box.appendChild(list);
    return box;
  }

  function drawStage(c) {
    var key = [c.state, c.index, c.state === "revealed" ? JSON.stringify(c.distribution) : "",
               JSON.stringify(c.leaderboard || null)].join("|");
    if (key === drawnKey) { return; }
    drawnKey = key;
    stage.textContent = "";
    root.setAttribute("data-state", c.state);
    if (c.state === "waiting" || c.state === "finished") {
      stage.appendChild(el("p", "contest-waiting", c.state === "waiting" ? words.waiting : words.finished));
      if (c.leaderboard) { stage.appendChild(drawBoard(c.leaderboard)); }
      return;
    }
    var q = c.question;
    if (!q) { return; }
    var prompt = el("div", "contest-prompt prose");
    prompt.innerHTML = q.prompt;  // Markdown rendered and sanitised by the server
    stage.appendChild(prompt);
    var list = choices(q);
    var revealed = c.state === "revealed";
    if (list && !(revealed && c.distribution && c.distribution.kind === "options")) {
      var ol = el("ol", "contest-options");
      list.forEach(function (text) { ol.appendChild(el("li", null, text)); });
      stage.appendChild(ol);
    }
    if (!revealed) { return; }
    var answer = el("div", "contest-reveal");
    if (q.right_answer) {
      answer.appendChild(el("p", "contest-right", words.right_answer + ": " + q.right_answer));
    }
    answer.appendChild(drawBars(c.distribution));
    if (q.explain) {
      var explain = el("div", "contest-explain prose");
      explain.innerHTML = q.explain;  // sanitised by the server
      answer.appendChild(explain);
    }
    stage.appendChild(answer);
    if (c.leaderboard) { stage.appendChild(drawBoard(c.leaderboard)); }
  }

  function drawTimer() {
    if (!current) { return; }
    var text = "";
    var left = secondsLeft();
    if (current.state === "open") {
      text = left === null ? words.untimed : String(Math.ceil(left));
      timer.classList.toggle("is-low", left !== null && left <= 5);
    } else if (current.state === "closed" || current.state === "revealed") {
      text = words.closed;
      timer.classList.remove("is-low");
    }
    if (timer.textContent !== text) { timer.textContent = text; }
    if (left === 0 && current.state === "open") { refresh(); }  // the server says "closed"
  }

  function draw(c) {
    current = c;
    receivedAt = performance.now();
    var count = root.querySelector("[data-contest-count]");
    count.textContent = c.index === null ? "" : format(words.question, { n: c.index + 1, total: c.count });
    root.querySelector("[data-contest-answered]").textContent = c.answered;
    root.querySelector("[data-contest-joined]").textContent = c.joined;
    document.querySelectorAll("[data-live-joined]").forEach(function (n) { n.textContent = c.joined; });
    var next = root.querySelector("[data-contest-action=next]");
    next.disabled = c.state === "finished";
    root.querySelector("[data-contest-action=close]").disabled = c.state !== "open";
    root.querySelector("[data-contest-action=reveal]").disabled =
      ["open", "closed"].indexOf(c.state) < 0;
    drawStage(c);
    drawTimer();
  }

  var lastFetch = 0;
  function refresh() {
    var now = performance.now();
    if (now - lastFetch < 400) { return; }
    lastFetch = now;
    fetch(url, { headers: { "Accept": "application/json" }, cache: "no-store", credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 401 || r.redirected) { window.location.reload(); return null; }
        return r.ok ? r.json() : null;
      })
      .then(function (c) { if (c) { draw(c); } })
      .catch(function () { timer.textContent = words.offline; });
  }

  // One action at a time: the same key again while it is on its way is dropped (a double
  // "next" must not skip a question); a different one (reveal right after stop) waits and
  // runs when the first is done. The buttons show "busy" meanwhile.
  function setBusy(action) {
    busy = action;
    root.setAttribute("aria-busy", action ? "true" : "false");
    root.classList.toggle("contest-busy", !!action);
  }

  function act(action) {
    if (busy) {
      if (action !== busy) { pending = action; }
      return;
    }
    setBusy(action);
    fetch(url, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ action: action })
    }).then(function (r) { return r.json(); })
      .then(function (c) { if (c && c.state) { draw(c); } else { refresh(); } })
      .catch(function () { refresh(); })
      .then(function () {
        setBusy(false);
        var then = pending;
        pending = null;
        if (then && then !== action) { act(then); }
      });
  }

  root.querySelectorAll("[data-contest-action]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      if (!button.disabled) { act(button.getAttribute("data-contest-action")); }
    });
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) { return; }
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    var action = null;
    if (["n", "ArrowRight", "PageDown", " "].indexOf(key) >= 0) { action = "next"; }
    if (["r", "b", "."].indexOf(key) >= 0) { action = "reveal"; }
    if (key === "s") { action = "close"; }
    if (!action) { return; }
    var button = root.querySelector("[data-contest-action=" + action + "]");
    event.preventDefault();
    if (button && !button.disabled) { act(action); }
  });

  draw(JSON.parse(document.getElementById("contest-initial").textContent));
  window.setInterval(drawTimer, 200);
  window.setInterval(function () { if (!document.hidden) { refresh(); } }, 1000);
})();

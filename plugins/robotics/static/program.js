/* Tablet widget for the robotics plugin's `program` question.
 *
 * The student builds a program from "forward / left / right" buttons; "run" animates the
 * robot on the grid as a local preview only — the server scores the saved program by its own
 * simulation (program_question.py). save(list) is called on every change.
 * Plain JS, no libraries, no network, no inline styles needed (CSP-friendly).
 */
(function () {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";
  var HEADINGS = ["N", "E", "S", "W"];
  var DELTA = { N: [-1, 0], E: [0, 1], S: [1, 0], W: [0, -1] };
  var ANGLE = { N: 0, E: 90, S: 180, W: 270 };
  var CELL = 60;        // drawing units per cell
  var SHOWN_CELL = 72;  // largest on-screen size of a cell, in CSS pixels
  var STEP_MS = 450;

  var TEXT = {
    zh: {
      forward: "前进", left: "左转", right: "右转",
      undo: "撤销", clear: "清空", run: "运行预览", stop: "停止",
      empty: "还没有命令。点上面的按钮添加。",
      count: "命令：{n} / {max}",
      full: "已经达到最多 {max} 条命令。",
      success: "到达终点！（这只是预览，提交后由服务器评分）",
      crash: "撞车了！第 {n} 条命令撞到了墙或走出了地图。",
      notGoal: "程序结束了，但机器人没有停在终点 G 上。",
      running: "运行中……",
      legend: "S 起点 · G 终点 · 深色格子是墙",
      board: "地图：{rows} 行 {cols} 列"
    },
    en: {
      forward: "Forward", left: "Left", right: "Right",
      undo: "Undo", clear: "Clear", run: "Run preview", stop: "Stop",
      empty: "No commands yet. Tap the buttons above to add some.",
      count: "Commands: {n} / {max}",
      full: "That is the maximum of {max} commands.",
      success: "Goal reached! (Only a preview: the server scores it when you submit.)",
      crash: "Crash! Command {n} hit a wall or left the map.",
      notGoal: "The program ended, but the robot is not standing on the goal G.",
      running: "Running…",
      legend: "S start · G goal · dark squares are walls",
      board: "Map: {rows} rows, {cols} columns"
    }
  };
  var SYMBOL = { forward: "⬆", left: "⟲", right: "⟳" };

  function lang() {
    var l = (document.documentElement.getAttribute("lang") || "zh").toLowerCase();
    return l.indexOf("en") === 0 ? "en" : "zh";
  }

  function fmt(s, values) {
    return s.replace(/\{(\w+)\}/g, function (_, k) { return values[k]; });
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function svg(tag, attrs) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function findChar(grid, ch) {
    for (var r = 0; r < grid.length; r++) {
      var c = grid[r].indexOf(ch);
      if (c >= 0) { return [r, c]; }
    }
    return [0, 0];
  }

  /* Same rules as the server: returns the list of states after each command. */
  function simulate(grid, heading, program) {
    var pos = findChar(grid, "S");
    var state = { row: pos[0], col: pos[1], heading: heading, crashed: false };
    var states = [];
    for (var i = 0; i < program.length; i++) {
      var cmd = program[i];
      var next = { row: state.row, col: state.col, heading: state.heading, crashed: false };
      var h = HEADINGS.indexOf(state.heading);
      if (cmd === "left") {
        next.heading = HEADINGS[(h + 3) % 4];
      } else if (cmd === "right") {
        next.heading = HEADINGS[(h + 1) % 4];
      } else if (cmd === "forward") {
        var r = state.row + DELTA[state.heading][0];
        var c = state.col + DELTA[state.heading][1];
        if (r < 0 || r >= grid.length || c < 0 || c >= grid[0].length || grid[r].charAt(c) === "#") {
          next.crashed = true;
          states.push(next);
          return states;
        }
        next.row = r;
        next.col = c;
      }
      states.push(next);
      state = next;
    }
    return states;
  }

  function widget(root, question, response, save) {
    var t = TEXT[lang()];
    var grid = question.grid || [];
    var rows = grid.length;
    var cols = rows ? grid[0].length : 0;
    var startHeading = question.start_heading || "E";
    var allowed = question.commands || ["forward", "left", "right"];
    var maxSteps = question.max_steps || 12;
    var program = [];
    if (Array.isArray(response)) {
      program = response.filter(function (c) { return allowed.indexOf(c) >= 0; }).slice(0, maxSteps);
    }
    var timer = null;

    var host = root.querySelector(".kp-program");
    if (!host) { host = el("div", "kp-program"); root.appendChild(host); }
    while (host.firstChild) { host.removeChild(host.firstChild); }

    /* ---- board ---- */
    var board = el("div", "kp-program-board");
    var drawing = svg("svg", {
      viewBox: "0 0 " + cols * CELL + " " + rows * CELL,
      width: cols * SHOWN_CELL, height: rows * SHOWN_CELL,
      role: "img", "aria-label": fmt(t.board, { rows: rows, cols: cols })
    });
    for (var r = 0; r < rows; r++) {
      for (var c = 0; c < cols; c++) {
        var ch = grid[r].charAt(c);
        var fill = ch === "#" ? "#334155" : (ch === "G" ? "#bbf7d0" : (ch === "S" ? "#dbeafe" : "#ffffff"));
        drawing.appendChild(svg("rect", {
          class: "kp-cell kp-cell-" + (ch === "#" ? "wall" : ch === "G" ? "goal" : ch === "S" ? "start" : "free"),
          x: c * CELL, y: r * CELL, width: CELL, height: CELL,
          fill: fill, stroke: "#94a3b8", "stroke-width": 2
        }));
        if (ch === "G" || ch === "S") {
          var label = svg("text", {
            x: c * CELL + 5, y: r * CELL + 17, "font-size": 15, "font-weight": "bold",
            "font-family": "sans-serif", fill: ch === "G" ? "#15803d" : "#1d4ed8"
          });
          label.textContent = ch;
          drawing.appendChild(label);
        }
      }
    }
    var robot = svg("g", { class: "kp-robot" });
    var body = svg("circle", { cx: 0, cy: 0, r: CELL * 0.3, fill: "#f59e0b", stroke: "#92400e", "stroke-width": 3 });
    robot.appendChild(body);
    robot.appendChild(svg("polygon", { points: "0,-16 10,2 -10,2", fill: "#7c2d12" }));
    robot.appendChild(svg("rect", { x: -4, y: 0, width: 8, height: 10, fill: "#7c2d12" }));
    drawing.appendChild(robot);
    board.appendChild(drawing);
    board.appendChild(el("p", "kp-program-legend", t.legend));

    /* ---- controls ---- */
    var side = el("div", "kp-program-side");
    var cmdButtons = el("div", "kp-program-buttons");
    var buttons = [];
    ["forward", "left", "right"].forEach(function (cmd) {
      if (allowed.indexOf(cmd) < 0) { return; }
      var b = el("button", "kp-cmd", SYMBOL[cmd] + " " + t[cmd]);
      b.type = "button";
      b.setAttribute("data-command", cmd);
      b.addEventListener("click", function () {
        if (program.length >= maxSteps) { setStatus(fmt(t.full, { max: maxSteps }), "kp-bad"); return; }
        program.push(cmd);
        changed();
      });
      cmdButtons.appendChild(b);
      buttons.push(b);
    });
    var tools = el("div", "kp-program-tools");
    var undo = el("button", "kp-undo", "↶ " + t.undo);
    var clear = el("button", "kp-clear", "✕ " + t.clear);
    var run = el("button", "kp-run", "▶ " + t.run);
    [undo, clear, run].forEach(function (b) { b.type = "button"; tools.appendChild(b); });
    buttons.push(undo, clear);
    undo.addEventListener("click", function () { program.pop(); changed(); });
    clear.addEventListener("click", function () { program = []; changed(); });
    run.addEventListener("click", function () { if (timer) { stopRun(); } else { startRun(); } });

    var count = el("p", "kp-program-count");
    var list = el("ol", "kp-program-list");
    var status = el("p", "kp-program-status");
    status.setAttribute("aria-live", "polite");
    side.appendChild(cmdButtons);
    side.appendChild(tools);
    side.appendChild(count);
    side.appendChild(list);
    side.appendChild(status);
    host.appendChild(board);
    host.appendChild(side);

    function placeRobot(state) {
      var x = state.col * CELL + CELL / 2;
      var y = state.row * CELL + CELL / 2;
      robot.setAttribute("transform", "translate(" + x + " " + y + ") rotate(" + ANGLE[state.heading] + ")");
      body.setAttribute("fill", state.crashed ? "#ef4444" : "#f59e0b");
    }

    function startState() {
      var pos = findChar(grid, "S");
      return { row: pos[0], col: pos[1], heading: startHeading };
    }

    function setStatus(message, cls) {
      status.textContent = message || "";
      status.className = "kp-program-status" + (cls ? " " + cls : "");
    }

    function renderList(current) {
      while (list.firstChild) { list.removeChild(list.firstChild); }
      if (!program.length) { list.appendChild(el("li", "kp-empty", t.empty)); }
      program.forEach(function (cmd, i) {
        list.appendChild(el("li", i === current ? "kp-current" : "", SYMBOL[cmd] + " " + t[cmd]));
      });
      count.textContent = fmt(t.count, { n: program.length, max: maxSteps });
      undo.disabled = clear.disabled = !program.length || !!timer;
      run.disabled = !program.length && !timer;
      buttons.forEach(function (b) {
        if (b !== undo && b !== clear) { b.disabled = !!timer || program.length >= maxSteps; }
      });
    }

    function changed() {
      setStatus("");
      placeRobot(startState());
      renderList(-1);
      save(program.slice());
    }

    function stopRun() {
      if (timer) { clearTimeout(timer); timer = null; }
      run.textContent = "▶ " + t.run;
      renderList(-1);
    }

    function startRun() {
      var states = simulate(grid, startHeading, program);
      var i = 0;
      placeRobot(startState());
      setStatus(t.running, "");
      run.textContent = "■ " + t.stop;
      function step() {
        if (i >= states.length) {
          timer = null;
          var last = states[states.length - 1] || startState();
          stopRun();
          if (last.crashed) {
            setStatus(fmt(t.crash, { n: states.length }), "kp-bad");
          } else if (grid[last.row].charAt(last.col) === "G") {
            setStatus(t.success, "kp-ok");
          } else {
            setStatus(t.notGoal, "kp-bad");
          }
          return;
        }
        var s = states[i];
        placeRobot(s);
        renderList(i);
        i += 1;
        timer = setTimeout(step, STEP_MS);
      }
      timer = setTimeout(step, STEP_MS / 2);
      renderList(-1);
    }

    placeRobot(startState());
    renderList(-1);
  }

  window.KepuWidgets = window.KepuWidgets || {};
  window.KepuWidgets.program = widget;
})();

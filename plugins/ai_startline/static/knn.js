/* Nearest-neighbour activity for the "Science Starting Line · AI" course.
 *
 * Plain JavaScript, no libraries, works offline. The page gives us its strings in
 * data-strings (JSON); there is no inline script because the Content-Security-Policy forbids it.
 *
 * The classification itself is the pure function knnPredict(points, query, k), exported for
 * tests (window.KepuKnn in a browser, module.exports under Node).
 */
(function (root) {
  "use strict";

  /**
   * Classify `query` by the k nearest of `points`.
   *
   * points: [{x, y, label}, ...]  (x, y are feature values; label is any string)
   * query:  {x, y}
   * k:      how many neighbours vote (a positive integer; if there are fewer points, all vote)
   *
   * Returns {label, neighbors, votes, tie, k}:
   *   neighbors: the k nearest as [{index, point, distance}], nearest first (equal distances
   *              keep the order of `points`, so the result is deterministic);
   *   votes:     {label: count} for the labels among the neighbours;
   *   tie:       true when two or more labels share the most votes; the tie is then broken in
   *              favour of the label of the nearest neighbour among the tied labels;
   *   label:     the prediction, or null when there are no points;
   *   k:         the number of neighbours actually used.
   */
  function knnPredict(points, query, k) {
    var list = Array.isArray(points) ? points : [];
    var want = Math.floor(Number(k));
    if (!(want >= 1)) {
      throw new RangeError("k must be a positive integer");
    }
    var scored = list.map(function (point, index) {
      var dx = point.x - query.x;
      var dy = point.y - query.y;
      return { index: index, point: point, distance: Math.sqrt(dx * dx + dy * dy) };
    });
    scored.sort(function (a, b) {
      return a.distance - b.distance || a.index - b.index;
    });
    var neighbors = scored.slice(0, Math.min(want, scored.length));
    var votes = {};
    neighbors.forEach(function (n) {
      votes[n.point.label] = (votes[n.point.label] || 0) + 1;
    });
    var best = 0;
    Object.keys(votes).forEach(function (label) {
      if (votes[label] > best) best = votes[label];
    });
    var leaders = Object.keys(votes).filter(function (label) {
      return votes[label] === best;
    });
    var label = null;
    for (var i = 0; i < neighbors.length; i += 1) {
      if (leaders.indexOf(neighbors[i].point.label) !== -1) {
        label = neighbors[i].point.label;
        break;
      }
    }
    return {
      label: label,
      neighbors: neighbors,
      votes: votes,
      tie: leaders.length > 1,
      k: neighbors.length,
    };
  }

  var api = { knnPredict: knnPredict };
  if (typeof module !== "undefined" && module.exports) {
    module.exports = api;
  }
  if (typeof root.document === "undefined") {
    return; // under Node: only the pure function
  }
  root.KepuKnn = api;

  // ---------------------------------------------------------------- the board
  var CLASSES = ["apple", "cherry", "banana"];
  var COLORS = { apple: "#e53e3e", cherry: "#97266d", banana: "#d69e2e" };
  // Board geometry in SVG units (viewBox 0 0 1000 1000): feature 0..10 on both axes.
  var LEFT = 90;
  var TOP = 30;
  var SIZE = 880; // the plot area is SIZE x SIZE
  var UNIT = SIZE / 10;
  var CARD = 64; // drawn size of a card
  var MAX_CARDS = 60;
  // The example layout matches the lesson's diagram (media/knn-scatter.svg).
  var EXAMPLE = {
    points: [
      [6.5, 8, "apple"], [7.2, 8.8, "apple"], [7.8, 7.6, "apple"], [6.2, 7.0, "apple"],
      [8.3, 8.4, "apple"], [1.5, 9, "cherry"], [2.2, 8.3, "cherry"], [2.8, 9.3, "cherry"],
      [1.2, 8.0, "cherry"], [3.0, 8.6, "cherry"], [5.5, 2, "banana"], [6.5, 1.5, "banana"],
      [7.5, 2.6, "banana"], [6.0, 3.0, "banana"], [8.0, 1.8, "banana"],
    ],
    query: { x: 5.0, y: 8.0 },
  };

  function format(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (m, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : m;
    });
  }

  function round1(value) {
    return (Math.round(value * 10) / 10).toFixed(1);
  }

  function toBoard(p) {
    return { x: LEFT + p.x * UNIT, y: TOP + SIZE - p.y * UNIT };
  }

  function toFeatures(bx, by) {
    var x = (bx - LEFT) / UNIT;
    var y = (TOP + SIZE - by) / UNIT;
    return {
      x: Math.round(Math.min(10, Math.max(0, x)) * 10) / 10,
      y: Math.round(Math.min(10, Math.max(0, y)) * 10) / 10,
    };
  }

  function Activity(rootEl) {
    this.root = rootEl;
    this.strings = JSON.parse(rootEl.getAttribute("data-strings") || "{}");
    this.board = rootEl.querySelector("[data-board]");
    this.ns = this.board.namespaceURI; // the SVG namespace, taken from the page itself
    this.layers = {};
    var self = this;
    ["grid", "links", "cards", "query"].forEach(function (name) {
      self.layers[name] = self.board.querySelector('[data-layer="' + name + '"]');
    });
    this.hint = rootEl.querySelector("[data-hint]");
    this.count = rootEl.querySelector("[data-count]");
    this.result = rootEl.querySelector("[data-result]");
    this.summary = rootEl.querySelector("[data-summary]");
    this.points = [];
    this.query = null;
    this.mode = "apple";
    this.k = 3;
    this.dragging = false;
    this.drawGrid();
    this.bind();
    this.update();
  }

  Activity.prototype.el = function (name, attrs, text) {
    var node = document.createElementNS(this.ns, name);
    Object.keys(attrs || {}).forEach(function (key) {
      node.setAttribute(key, attrs[key]);
    });
    if (text !== undefined) node.textContent = text;
    return node;
  };

  Activity.prototype.drawGrid = function () {
    var g = this.layers.grid;
    for (var i = 0; i <= 10; i += 1) {
      var pos = i * UNIT;
      var major = i === 0 || i === 5 || i === 10;
      var cls = major ? "knn-gridline knn-gridline-major" : "knn-gridline";
      g.appendChild(this.el("line", { x1: LEFT + pos, y1: TOP, x2: LEFT + pos, y2: TOP + SIZE, class: cls }));
      g.appendChild(this.el("line", { x1: LEFT, y1: TOP + pos, x2: LEFT + SIZE, y2: TOP + pos, class: cls }));
      if (major) {
        g.appendChild(this.el("text", { x: LEFT + pos, y: TOP + SIZE + 36, class: "knn-tick", "text-anchor": "middle" }, String(i)));
        g.appendChild(this.el("text", { x: LEFT - 14, y: TOP + SIZE - pos + 10, class: "knn-tick", "text-anchor": "end" }, String(i)));
      }
    }
    g.appendChild(this.el("line", { x1: LEFT, y1: TOP + SIZE, x2: LEFT + SIZE, y2: TOP + SIZE, class: "knn-axis" }));
    g.appendChild(this.el("line", { x1: LEFT, y1: TOP, x2: LEFT, y2: TOP + SIZE, class: "knn-axis" }));
    g.appendChild(this.el("text", { x: LEFT + SIZE, y: TOP + SIZE + 70, class: "knn-axis-label", "text-anchor": "end" }, this.strings.axis_x || ""));
    // The y label's arrow stays upright (rotated with the words it pointed left), and Chinese
    // words stand upright one character under the other, as Chinese charts write them.
    var label = this.strings.axis_y || "";
    var hasArrow = label.charAt(0) === "\u2191";
    var words = hasArrow ? label.slice(1).trim() : label;
    var y = TOP + 28;
    if (hasArrow) {
      g.appendChild(this.el("text", { x: 36, y: y, class: "knn-axis-label", "text-anchor": "middle" }, "\u2191"));
      y += 40;
    }
    if (/^[^\x00-\x7F]+$/.test(words)) {
      for (var c = 0; c < words.length; c++) {
        g.appendChild(this.el("text", { x: 36, y: y + c * 38, class: "knn-axis-label", "text-anchor": "middle" }, words.charAt(c)));
      }
    } else {
      g.appendChild(this.el("text", { x: 0, y: 0, class: "knn-axis-label", "text-anchor": "end", transform: "translate(36 " + (y - 28) + ") rotate(-90)" }, words));
    }
  };

  Activity.prototype.bind = function () {
    var self = this;
    this.root.querySelectorAll("[data-mode]").forEach(function (button) {
      button.addEventListener("click", function () {
        self.mode = button.getAttribute("data-mode");
        self.update();
      });
    });
    this.root.querySelectorAll("[data-k]").forEach(function (button) {
      button.addEventListener("click", function () {
        self.k = Number(button.getAttribute("data-k"));
        self.update();
      });
    });
    this.root.querySelector('[data-action="reset"]').addEventListener("click", function () {
      self.points = [];
      self.query = null;
      self.update();
    });
    this.root.querySelector('[data-action="example"]').addEventListener("click", function () {
      self.points = EXAMPLE.points.map(function (p) {
        return { x: p[0], y: p[1], label: p[2] };
      });
      self.query = { x: EXAMPLE.query.x, y: EXAMPLE.query.y };
      self.update();
    });
    this.board.addEventListener("pointerdown", function (event) {
      if (event.button !== undefined && event.button > 0) return;
      event.preventDefault();
      var p = self.eventPoint(event);
      if (!p) return;
      if (self.mode === "query") {
        self.dragging = true;
        if (self.board.setPointerCapture) {
          try { self.board.setPointerCapture(event.pointerId); } catch (e) { /* not capturable */ }
        }
        self.query = p.features;
      } else if (self.mode === "erase") {
        self.eraseNear(p.board);
      } else if (self.points.length < MAX_CARDS) {
        self.points.push({ x: p.features.x, y: p.features.y, label: self.mode });
      }
      self.update();
    });
    this.board.addEventListener("pointermove", function (event) {
      if (!self.dragging) return;
      var p = self.eventPoint(event);
      if (!p) return;
      self.query = p.features;
      self.update();
    });
    ["pointerup", "pointercancel", "lostpointercapture"].forEach(function (type) {
      self.board.addEventListener(type, function () {
        self.dragging = false;
      });
    });
  };

  Activity.prototype.eventPoint = function (event) {
    var ctm = this.board.getScreenCTM();
    if (!ctm) return null;
    var pt = new DOMPoint(event.clientX, event.clientY).matrixTransform(ctm.inverse());
    if (pt.x < LEFT - 20 || pt.x > LEFT + SIZE + 20 || pt.y < TOP - 20 || pt.y > TOP + SIZE + 20) {
      return null; // outside the plot area (on the axis labels)
    }
    return { board: pt, features: toFeatures(pt.x, pt.y) };
  };

  Activity.prototype.eraseNear = function (boardPoint) {
    var bestIndex = -1;
    var bestDistance = CARD * 0.75;
    this.points.forEach(function (p, index) {
      var b = toBoard(p);
      var d = Math.sqrt(Math.pow(b.x - boardPoint.x, 2) + Math.pow(b.y - boardPoint.y, 2));
      if (d < bestDistance) {
        bestDistance = d;
        bestIndex = index;
      }
    });
    if (bestIndex >= 0) this.points.splice(bestIndex, 1);
    else if (this.query) {
      var q = toBoard(this.query);
      if (Math.sqrt(Math.pow(q.x - boardPoint.x, 2) + Math.pow(q.y - boardPoint.y, 2)) < CARD * 0.75) {
        this.query = null;
      }
    }
  };

  Activity.prototype.card = function (kind, p, extraClass) {
    var b = toBoard(p);
    return this.el("use", {
      href: "#knn-card-" + kind,
      x: b.x - CARD / 2,
      y: b.y - CARD / 2,
      width: CARD,
      height: CARD,
      class: "knn-card knn-card-" + kind + (extraClass ? " " + extraClass : ""),
    });
  };

  Activity.prototype.update = function () {
    var s = this.strings;
    var self = this;
    // Buttons reflect the state.
    this.root.querySelectorAll("[data-mode]").forEach(function (button) {
      button.setAttribute("aria-pressed", button.getAttribute("data-mode") === self.mode ? "true" : "false");
    });
    this.root.querySelectorAll("[data-k]").forEach(function (button) {
      button.setAttribute("aria-checked", Number(button.getAttribute("data-k")) === self.k ? "true" : "false");
    });
    if (this.mode === "query") this.hint.textContent = s.hint_query;
    else if (this.mode === "erase") this.hint.textContent = s.hint_erase;
    else this.hint.textContent = format(s.hint_place, { label: s.classes[this.mode] });
    this.count.textContent = format(s.count, { n: this.points.length });

    var prediction = null;
    if (this.query && this.points.length) {
      prediction = knnPredict(this.points, this.query, this.k);
    }
    this.draw(prediction);
    this.showResult(prediction);
  };

  Activity.prototype.draw = function (prediction) {
    var self = this;
    var links = this.layers.links;
    var cards = this.layers.cards;
    var queryLayer = this.layers.query;
    [links, cards, queryLayer].forEach(function (layer) {
      while (layer.firstChild) layer.removeChild(layer.firstChild);
    });
    var rank = {};
    if (prediction) {
      var q = toBoard(this.query);
      var far = prediction.neighbors[prediction.neighbors.length - 1];
      links.appendChild(this.el("circle", { cx: q.x, cy: q.y, r: far.distance * UNIT + CARD / 2, class: "knn-reach" }));
      prediction.neighbors.forEach(function (n, i) {
        var b = toBoard(n.point);
        rank[n.index] = i + 1;
        links.appendChild(self.el("line", { x1: q.x, y1: q.y, x2: b.x, y2: b.y, class: "knn-link", stroke: COLORS[n.point.label] || "#6b46c1" }));
      });
    }
    this.points.forEach(function (p, index) {
      var near = rank[index] !== undefined;
      if (near) {
        var b = toBoard(p);
        cards.appendChild(self.el("circle", { cx: b.x, cy: b.y, r: CARD / 2 + 6, class: "knn-near-ring" }));
      }
      cards.appendChild(self.card(p.label, p, near ? "knn-near" : ""));
      if (near) {
        var c = toBoard(p);
        cards.appendChild(self.el("text", { x: c.x + CARD / 2, y: c.y - CARD / 2 + 8, class: "knn-rank", "text-anchor": "middle" }, String(rank[index])));
      }
    });
    if (this.query) {
      if (prediction && prediction.label) {
        var qb = toBoard(this.query);
        queryLayer.appendChild(this.el("circle", { cx: qb.x, cy: qb.y, r: CARD / 2 + 8, class: "knn-query-ring", stroke: COLORS[prediction.label] }));
      }
      queryLayer.appendChild(this.card("query", this.query, "knn-query"));
    }
  };

  Activity.prototype.showResult = function (prediction) {
    var s = this.strings;
    var box = this.result;
    while (box.firstChild) box.removeChild(box.firstChild);
    function add(tag, className, text) {
      var node = document.createElement(tag);
      if (className) node.className = className;
      if (text !== undefined) node.textContent = text;
      box.appendChild(node);
      return node;
    }
    if (!this.points.length || !this.query) {
      var waiting = !this.points.length ? s.no_points : s.no_query;
      add("p", "knn-status", waiting);
      this.summary.textContent = waiting;
      return;
    }
    var tally = CLASSES.filter(function (label) {
      return prediction.votes[label];
    }).map(function (label) {
      return s.classes[label] + " " + format(s.vote_count, { n: prediction.votes[label] });
    });
    this.summary.textContent = format(s.summary, {
      k: prediction.k,
      prediction: format(s.prediction, { label: s.classes[prediction.label] || prediction.label }),
      votes: tally.join(" · "),
    });
    var verdict = add("p", "knn-prediction knn-prediction-" + prediction.label,
      format(s.prediction, { label: s.classes[prediction.label] || prediction.label }));
    verdict.setAttribute("data-prediction", prediction.label);
    add("p", "knn-position", format(s.position, { x: round1(this.query.x), y: round1(this.query.y) }));
    add("p", "knn-status", format(s.nearest, { k: prediction.k }));
    if (prediction.k < this.k) add("p", "knn-note", format(s.fewer, { n: prediction.k }));
    var list = add("ol", "knn-neighbours");
    prediction.neighbors.forEach(function (n) {
      var item = document.createElement("li");
      item.className = "knn-chip knn-chip-" + n.point.label;
      item.textContent = s.classes[n.point.label] + " · " + format(s.distance, { d: round1(n.distance) });
      list.appendChild(item);
    });
    add("p", "knn-votes-title", s.votes);
    var votes = add("ul", "knn-votes");
    CLASSES.forEach(function (label) {
      var count = prediction.votes[label] || 0;
      if (!count) return;
      var item = document.createElement("li");
      item.className = "knn-vote knn-vote-" + label;
      var name = document.createElement("span");
      name.className = "knn-vote-name";
      name.textContent = s.classes[label];
      var bar = document.createElement("span");
      bar.className = "knn-vote-bar";
      for (var i = 0; i < count; i += 1) {
        var dot = document.createElement("span");
        dot.className = "knn-vote-dot";
        bar.appendChild(dot);
      }
      var num = document.createElement("span");
      num.className = "knn-vote-num";
      num.textContent = format(s.vote_count, { n: count });
      item.appendChild(name);
      item.appendChild(bar);
      item.appendChild(num);
      votes.appendChild(item);
    });
    if (prediction.tie) add("p", "knn-note", s.tie);
  };

  function start() {
    document.querySelectorAll("[data-knn-app]").forEach(function (el) {
      el.kepuKnn = new Activity(el);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})(typeof window !== "undefined" ? window : globalThis);

/* Kepu Server: the student's tablet (join page and /me).
 *
 * Never lose an answer: every answer goes into an outbox in localStorage (keyed by session and
 * participant) before it is sent, and leaves it only when the server has said 2xx. Unsent
 * answers are re-sent with exponential backoff and jitter, when the browser says it is online
 * again, when a poll gets through, and on page load. "Saved ✓" is shown only for answers the
 * server has confirmed. The token lives in localStorage too, so a reload, a closed browser or a
 * sleeping tablet puts the student back in the same seat.
 * The page polls GET /api/v1/me every ~2 s (with jitter) with If-None-Match: a 304 costs
 * almost nothing. No inline script (CSP), no external URL.
 */
(function () {
  "use strict";

  var SEAT_KEY = "kepu.seat";
  var POLL_MS = 2000;
  var POLL_HIDDEN_MS = 10000;
  var BACKOFF_MAX_MS = 20000;
  var REQUEST_TIMEOUT_MS = 10000;
  var CONFIRM_WAKE_MS = 900; // longer than any double tap

  /* ------------------------------------------------------------ storage */
  function load(key, fallback) {
    try {
      var raw = window.localStorage.getItem(key);
      return raw ? JSON.parse(raw) : fallback;
    } catch (e) {
      return fallback;
    }
  }
  function store(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, JSON.stringify(value));
    } catch (e) {
      /* private mode or full: the answer still goes to the server directly */
    }
  }
  function fmt(text, vars) {
    return String(text || "").replace(/\{(\w+)\}/g, function (m, name) {
      return vars && name in vars ? vars[name] : m;
    });
  }
  function readJSON(node, name, fallback) {
    try {
      return JSON.parse(node.getAttribute(name));
    } catch (e) {
      return fallback;
    }
  }

  function request(method, url, token, body, extraHeaders) {
    var headers = { Accept: "application/json" };
    if (token) headers.Authorization = "Bearer " + token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    Object.keys(extraHeaders || {}).forEach(function (k) {
      headers[k] = extraHeaders[k];
    });
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller
      ? setTimeout(function () {
          controller.abort();
        }, REQUEST_TIMEOUT_MS)
      : null;
    return fetch(url, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined,
    }).then(
      function (response) {
        clearTimeout(timer);
        var type = response.headers.get("Content-Type") || "";
        if (response.status === 304 || type.indexOf("application/json") < 0) {
          return { status: response.status, data: null, headers: response.headers };
        }
        return response.json().then(
          function (data) {
            return { status: response.status, data: data, headers: response.headers };
          },
          function () {
            return { status: response.status, data: null, headers: response.headers };
          }
        );
      },
      function (error) {
        clearTimeout(timer);
        throw error;
      }
    );
  }
  function errorOf(result) {
    return (result && result.data && result.data.error) || {};
  }

  /* ------------------------------------------------------------ join page */
  function initJoin(root) {
    var TEXT = readJSON(root, "data-strings", {});
    var form = root.querySelector("[data-join-form]");
    var errorBox = root.querySelector("[data-join-error]");
    var seat = load(SEAT_KEY, null);
    function showError(message) {
      errorBox.textContent = message;
      errorBox.hidden = !message;
    }
    function enter(result) {
      var data = result.data;
      store(SEAT_KEY, {
        token: data.token,
        session: data.session.id,
        participant: data.participant.id,
        name: data.participant.name,
        code: data.session.code,
      });
      window.location.assign("/me");
    }
    function join(code, name, token, button) {
      if (button) button.disabled = true;
      return request("POST", "/api/v1/join", null, { code: code, name: name, token: token || undefined })
        .then(function (result) {
          if (result.status === 200 || result.status === 201) return enter(result);
          var error = errorOf(result);
          if (error.code === "not_on_roster" && /^\d{6}$/.test(code)) {
            window.location.assign("/j/" + code + "?pick=1");
            return;
          }
          if (error.code === "session_ended") {
            // The class is over: an empty box for the next class's code.
            var codeBox = form.querySelector("input[name=code]");
            codeBox.value = "";
            codeBox.focus();
          }
          if (error.code === "name_taken" && error.suggestion) {
            var input = form.querySelector("input[name=name][type=text], input.join-name");
            if (input) input.value = error.suggestion;
          }
          showError(error.message || TEXT.offline);
          return result;
        })
        .catch(function () {
          showError(TEXT.offline);
        })
        .then(function (result) {
          if (button) button.disabled = false;
          return result;
        });
    }
    // A code typed or pasted with spaces ("123 456", " 123456") is still the code.
    var codeInput = form.querySelector("[data-code-input]");
    if (codeInput) {
      codeInput.addEventListener("input", function () {
        var digits = codeInput.value.replace(/\D+/g, "").slice(0, 6);
        if (digits !== codeInput.value) codeInput.value = digits;
      });
    }
    // The name box stops at 40 letters: say so instead of silently eating the 41st.
    var nameInput = form.querySelector("[data-name-input]");
    var nameLimit = form.querySelector("[data-name-limit]");
    if (nameInput && nameLimit) {
      nameInput.addEventListener("input", function () {
        nameLimit.classList.toggle("at-limit", nameInput.value.length >= 40);
      });
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(form);
      var code = String(data.get("code") || "").replace(/\s+/g, "");
      var token = seat && seat.code === code ? seat.token : null;
      join(code, String(data.get("name") || ""), token, form.querySelector("button[type=submit]"));
    });
    // A seat this tablet holds but whose cookie is gone: offer it back (same token, same seat).
    var resume = root.querySelector("[data-resume]");
    if (seat && seat.token && resume && !root.querySelector(".join-resume a:not([data-resume-button])")) {
      var button = resume.querySelector("[data-resume-button]");
      button.textContent = (TEXT["continue"] || "Continue") + " · " + seat.name;
      // Offer the seat only once the server says it still exists (results may have been
      // deleted, or the class ended); a tablet without Wi-Fi keeps the offer.
      request("GET", "/api/v1/me", seat.token)
        .then(function (result) {
          if (result.status === 200 || result.status === 304) resume.hidden = false;
          else if (result.status === 401 || result.status === 409) store(SEAT_KEY, null);
        })
        .catch(function () {
          resume.hidden = false;
        });
      button.addEventListener("click", function (event) {
        event.preventDefault(); // a link for the markup; rejoining is a POST
        join(seat.code, seat.name, seat.token, button).then(function (result) {
          if (result && result.status >= 400) {
            store(SEAT_KEY, null);
            resume.hidden = true;
          }
        });
      });
    }
  }

  /* ------------------------------------------------------------ the /me page */
  function initMe(root) {
    var TEXT = readJSON(root, "data-strings", {});
    var token = root.getAttribute("data-token");
    var sessionId = root.getAttribute("data-session");
    var participantId = root.getAttribute("data-participant");
    var pacing = root.getAttribute("data-pacing");
    var quizRendered = root.getAttribute("data-quiz-rendered") === "true";
    // Rendered while the quiz was open: never reload for it again (no loop when, say, a
    // removed plugin left the quiz without questions).
    var renderedOpen = root.getAttribute("data-quiz-open") === "true";
    var submitted = root.getAttribute("data-submitted") === "true";
    // Handed in while the quiz was open: the explanations come when the teacher closes it.
    var reviewWaiting = root.getAttribute("data-review-waiting") === "true";
    var etag = '"' + root.getAttribute("data-etag") + '"';
    var scope = sessionId + "." + participantId;
    var OUTBOX_KEY = "kepu.outbox." + scope;
    var ANSWERS_KEY = "kepu.answers." + scope;
    var stopped = false;

    store(SEAT_KEY, {
      token: token,
      session: sessionId,
      participant: Number(participantId),
      name: root.getAttribute("data-name"),
      code: root.getAttribute("data-code"),
    });

    var outbox = load(OUTBOX_KEY, {});
    var answers = load(ANSWERS_KEY, {});
    var problems = {};
    var syncBox = root.querySelector("[data-sync]");
    var syncText = root.querySelector("[data-sync-text]");
    var banner = root.querySelector("[data-banner]");
    var online = true;
    var sending = false;
    var attempt = 0;
    var retryTimer = null;
    var seq = Date.now();

    function showBanner(message) {
      banner.textContent = message;
      banner.hidden = !message;
    }
    function pendingCount() {
      return Object.keys(outbox).length;
    }
    function paintSync() {
      var n = pendingCount();
      var state = n === 0 ? (Object.keys(problems).length ? "error" : "saved") : sending ? "saving" : "unsaved";
      syncBox.setAttribute("data-state", state);
      syncText.textContent =
        state === "saved" ? TEXT.saved : state === "saving" ? TEXT.saving : state === "error" ? TEXT.unsaved : TEXT.unsaved + " (" + n + ")";
      if (!online && n > 0) showBanner(TEXT.offline);
      else if (banner.getAttribute("data-kind") !== "sticky") showBanner("");
    }
    function sticky(message) {
      banner.setAttribute("data-kind", "sticky");
      showBanner(message);
    }

    function questionStatus(qid, state, message) {
      var node = root.querySelector('.question[data-qid="' + cssEscape(qid) + '"]');
      if (!node) return;
      var card = node.closest(".q-card");
      var status = card && card.querySelector("[data-q-status]");
      if (status) {
        status.setAttribute("data-state", state);
        status.textContent =
          state === "saved" ? TEXT.saved : state === "saving" ? TEXT.saving : state === "error" ? TEXT.rejected + " " + (message || "") : TEXT.unsaved;
      }
      var dot = root.querySelector('[data-goto="' + (card ? card.getAttribute("data-q-index") : "") + '"]');
      if (dot) {
        dot.classList.toggle("answered", qid in answers);
        dot.classList.toggle("unsaved", state === "unsaved" || state === "error");
      }
    }
    function cssEscape(value) {
      return window.CSS && CSS.escape ? CSS.escape(value) : String(value).replace(/["\\]/g, "\\$&");
    }

    function enqueue(key, method, url, body, qid) {
      seq += 1;
      outbox[key] = { method: method, url: url, body: body, qid: qid || null, seq: seq };
      store(OUTBOX_KEY, outbox);
      if (qid) {
        delete problems[qid];
        questionStatus(qid, "unsaved");
      }
      paintSync();
      attempt = 0;
      flush();
    }

    function retryLater() {
      clearTimeout(retryTimer);
      attempt += 1;
      var ceiling = Math.min(BACKOFF_MAX_MS, 1000 * Math.pow(2, attempt));
      var delay = ceiling / 2 + Math.random() * (ceiling / 2); // jitter: tablets don't stampede
      retryTimer = setTimeout(flush, delay);
    }

    function flush() {
      if (sending || stopped) return;
      var keys = Object.keys(outbox).sort(function (a, b) {
        return outbox[a].seq - outbox[b].seq;
      });
      if (!keys.length) {
        paintSync();
        return;
      }
      clearTimeout(retryTimer);
      sending = true;
      paintSync();
      var key = keys[0];
      var item = outbox[key];
      if (item.qid) questionStatus(item.qid, "saving");
      request(item.method, item.url, token, item.body)
        .then(function (result) {
          online = true;
          var status = result.status;
          var done = function () {
            if (outbox[key] && outbox[key].seq === item.seq) {
              delete outbox[key];
              store(OUTBOX_KEY, outbox);
              return true;
            }
            return false; // changed while in flight: the newer value goes next
          };
          if (status >= 200 && status < 300) {
            if (done() && item.qid) questionStatus(item.qid, "saved");
            return true;
          }
          var error = errorOf(result);
          if (status === 401) {
            stop(TEXT.lost_seat);
            return false;
          }
          if (error.code === "session_ended") {
            stop(TEXT.ended);
            return false;
          }
          if (status === 429 || status >= 500 || status === 0) return null;
          // A 4xx the server will give again (closed quiz, malformed answer): keep the
          // answer on screen, tell the student, stop sending it.
          if (done() && item.qid) {
            problems[item.qid] = error.message || String(status);
            questionStatus(item.qid, "error", error.message);
            if (error.code === "quiz_closed") quizClosed();
            if (error.code === "question_closed") lockContest();
          }
          return true;
        })
        .catch(function () {
          online = false;
          return null;
        })
        .then(function (next) {
          sending = false;
          paintSync();
          if (next === true) {
            attempt = 0;
            flush();
          } else if (next === null) {
            retryLater();
          }
        });
    }

    function stop(message) {
      stopped = true;
      clearTimeout(retryTimer);
      sticky(message);
      root.classList.add("stopped");
      // Nothing is waiting any more: the quiz tab's "open" dot would only invite a tap.
      var flag = root.querySelector("[data-quiz-flag]");
      if (flag) flag.hidden = true;
      // A way on from a dead page: the next class, or this class again for a lost seat.
      if (!root.querySelector("[data-rejoin]")) {
        var next = document.createElement("a");
        next.className = "button big me-rejoin";
        next.setAttribute("data-rejoin", "");
        var ended = message === TEXT.ended;
        next.href = ended ? "/j" : "/j/" + encodeURIComponent(root.getAttribute("data-code") || "");
        next.textContent = ended ? TEXT.join_another : TEXT.join;
        banner.parentNode.insertBefore(next, banner.nextSibling);
      }
      store(OUTBOX_KEY, null);
      store(ANSWERS_KEY, null);
      store(SEAT_KEY, null);
      root.querySelectorAll("[data-quiz] button, [data-quiz] input, [data-tick]").forEach(function (node) {
        node.disabled = true;
      });
    }

    window.addEventListener("online", function () {
      attempt = 0;
      flush();
    });
    window.addEventListener("offline", function () {
      online = false;
      paintSync();
    });

    /* ---------------------------------------------------------- tabs */
    var tabs = root.querySelectorAll("[data-tab]");
    function showTab(name) {
      var found = false;
      tabs.forEach(function (tab) {
        var on = tab.getAttribute("data-tab") === name;
        found = found || on;
        tab.setAttribute("aria-selected", on ? "true" : "false");
      });
      if (!found) return;
      root.querySelectorAll("[data-panel]").forEach(function (panel) {
        panel.hidden = panel.getAttribute("data-panel") !== name;
      });
      if (window.history && history.replaceState) history.replaceState(null, "", "#" + name);
    }
    tabs.forEach(function (tab) {
      tab.addEventListener("click", function () {
        showTab(tab.getAttribute("data-tab"));
      });
    });
    if (window.location.hash) showTab(window.location.hash.slice(1));

    /* ---------------------------------------------------------- lesson sections */
    var sectionNodes = root.querySelectorAll("[data-section-index]");
    var sectionAt = Number(root.getAttribute("data-section")) || 0;
    function showSection(index, remember) {
      if (!sectionNodes.length) return;
      sectionAt = Math.max(0, Math.min(index, sectionNodes.length - 1));
      sectionNodes.forEach(function (node) {
        node.hidden = Number(node.getAttribute("data-section-index")) !== sectionAt;
      });
      var prev = root.querySelector("[data-section-prev]");
      var next = root.querySelector("[data-section-next]");
      if (prev) prev.disabled = sectionAt === 0;
      if (next) next.disabled = sectionAt === sectionNodes.length - 1;
      if (remember) enqueue("section", "PUT", "/api/v1/me/section", { section: sectionAt });
      window.scrollTo(0, 0);
    }
    if (sectionNodes.length) {
      root.querySelector("[data-section-prev]").addEventListener("click", function () {
        showSection(sectionAt - 1, true);
      });
      root.querySelector("[data-section-next]").addEventListener("click", function () {
        showSection(sectionAt + 1, true);
      });
      showSection(sectionAt, false);
    }
    function followTeacher(state) {
      var box = root.querySelector("[data-teacher-section]");
      if (!box || !state.section || !state.lesson) return;
      if (box.getAttribute("data-index") === String(state.section.index)) return;
      box.setAttribute("data-index", String(state.section.index));
      box.querySelector("[data-section-title]").textContent = state.section.title;
      // HTML from the server's sanitiser (nh3), the same that renders every lesson page.
      box.querySelector("[data-section-html]").innerHTML = state.section.html;
      box.querySelector("[data-section-count]").textContent = fmt(TEXT.page, {
        n: state.section.index + 1,
        total: state.lesson.sections.length,
      });
    }
    var teacherBox = root.querySelector("[data-teacher-section]");
    if (teacherBox) teacherBox.setAttribute("data-index", root.getAttribute("data-section"));

    /* ---------------------------------------------------------- guide ticks */
    root.querySelectorAll("[data-tick]").forEach(function (button) {
      button.addEventListener("click", function () {
        var done = button.getAttribute("aria-pressed") !== "true";
        var guide = button.getAttribute("data-guide");
        var step = button.getAttribute("data-step");
        button.setAttribute("aria-pressed", done ? "true" : "false");
        button.closest(".step").classList.toggle("done", done);
        enqueue(
          "tick:" + guide + ":" + step,
          "PUT",
          "/api/v1/me/guides/" + encodeURIComponent(guide) + "/steps/" + step,
          { done: done }
        );
      });
    });
    function showTicks(state) {
      (state.guides || []).forEach(function (guide) {
        guide.steps.forEach(function (step) {
          if (outbox["tick:" + guide.id + ":" + step.index]) return; // ours is newer
          var button = root.querySelector('[data-tick][data-guide="' + cssEscape(guide.id) + '"][data-step="' + step.index + '"]');
          if (!button) return;
          button.setAttribute("aria-pressed", step.done ? "true" : "false");
          button.closest(".step").classList.toggle("done", step.done);
        });
      });
    }

    /* ---------------------------------------------------------- quiz */
    var form = root.querySelector("[data-quiz]");
    var cards = root.querySelectorAll(".q-card");
    var cardAt = 0;
    function showCard(index) {
      if (!cards.length) return;
      cardAt = Math.max(0, Math.min(index, cards.length - 1));
      cards.forEach(function (card, i) {
        card.hidden = i !== cardAt;
      });
      root.querySelectorAll("[data-goto]").forEach(function (dot) {
        if (Number(dot.getAttribute("data-goto")) === cardAt) dot.setAttribute("aria-current", "step");
        else dot.removeAttribute("aria-current");
      });
      root.querySelector("[data-q-prev]").disabled = cardAt === 0;
      root.querySelector("[data-q-next]").disabled = cardAt === cards.length - 1;
    }
    function quizClosed() {
      if (!form || form.classList.contains("closed")) return;
      form.classList.add("closed");
      sticky(TEXT.quiz_closed);
      form.querySelectorAll(".question button, .question input, .question textarea, .question select, [data-submit]").forEach(function (node) {
        node.disabled = true;
      });
    }
    var contest = readJSON(root, "data-contest", null);
    if (contest && form) {
      // A contest: one question, no pager, no hand-in (the contest hands in at the end).
      form.addEventListener("submit", function (event) {
        event.preventDefault();
      });
      TEXT.saved = TEXT.received;
      root.querySelectorAll(".question[data-qid]").forEach(startWidget);
    } else if (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
      });
      root.querySelectorAll("[data-goto]").forEach(function (dot) {
        dot.addEventListener("click", function () {
          showCard(Number(dot.getAttribute("data-goto")));
        });
      });
      root.querySelector("[data-q-prev]").addEventListener("click", function () {
        showCard(cardAt - 1);
      });
      root.querySelector("[data-q-next]").addEventListener("click", function () {
        showCard(cardAt + 1);
      });
      root.querySelectorAll(".question[data-qid]").forEach(startWidget);
      showCard(0);
      initSubmit();
    }

    function startWidget(node) {
      var qid = node.getAttribute("data-qid");
      var type = node.getAttribute("data-type");
      var question = readJSON(node, "data-question", {});
      var response = qid in answers ? answers[qid] : readJSON(node, "data-response", null);
      if (response !== null && response !== undefined && !(qid in answers)) answers[qid] = response;
      var save = function (value) {
        if (stopped) return;
        answers[qid] = value;
        store(ANSWERS_KEY, answers);
        enqueue("answer:" + qid, "PUT", "/api/v1/me/answers/" + encodeURIComponent(qid), { response: value }, qid);
      };
      var widget = (window.KepuWidgets || {})[type] || window.KepuFallbackWidget;
      try {
        widget(node, question, response === undefined ? null : response, save);
      } catch (e) {
        if (widget !== window.KepuFallbackWidget) window.KepuFallbackWidget(node, question, response, save);
      }
      var pending = outbox["answer:" + qid];
      questionStatus(qid, pending ? "unsaved" : qid in answers ? "saved" : "empty");
      if (!pending) {
        var status = node.closest(".q-card").querySelector("[data-q-status]");
        if (!(qid in answers)) status.textContent = "";
      }
    }

    function initSubmit() {
      // Handing in asks in a dialog whose "Hand in" button wakes only after a short pause, so
      // a double tap (or an impatient second tap) can never hand in a half-done quiz.
      var button = root.querySelector("[data-submit]");
      var note = root.querySelector("[data-submit-note]");
      var dialog = root.querySelector("[data-submit-dialog]");
      var confirmButton = dialog.querySelector("[data-submit-confirm]");
      var cancelButton = dialog.querySelector("[data-submit-cancel]");
      var dialogText = dialog.querySelector("[data-submit-question]");
      var wakeTimer = null;
      function closeDialog() {
        clearTimeout(wakeTimer);
        if (dialog.open) dialog.close();
      }
      button.addEventListener("click", function () {
        if (pendingAnswers()) {
          flush();
          note.textContent = TEXT.need_online;
          return;
        }
        var missing = cards.length - Object.keys(answers).filter(function (qid) {
          return root.querySelector('.question[data-qid="' + cssEscape(qid) + '"]');
        }).length;
        dialogText.textContent = (missing > 0 ? fmt(TEXT.unanswered, { n: missing }) + " " : "") + TEXT.confirm_submit;
        confirmButton.disabled = true;
        dialog.showModal();
        cancelButton.focus();
        clearTimeout(wakeTimer);
        wakeTimer = setTimeout(function () {
          confirmButton.disabled = false;
        }, CONFIRM_WAKE_MS);
      });
      cancelButton.addEventListener("click", closeDialog);
      confirmButton.addEventListener("click", function () {
        if (confirmButton.disabled) return;
        closeDialog();
        button.disabled = true;
        request("POST", "/api/v1/me/submit", token)
          .then(function (result) {
            if (result.status === 200) {
              store(ANSWERS_KEY, null);
              window.location.replace("/me#quiz");
              window.location.reload();
              return;
            }
            var error = errorOf(result);
            if (error.code === "session_ended") return stop(TEXT.ended);
            note.textContent = error.message || TEXT.submit_failed;
            button.disabled = false;
          })
          .catch(function () {
            note.textContent = TEXT.need_online;
            button.disabled = false;
          });
      });
    }
    function pendingAnswers() {
      return Object.keys(outbox).some(function (key) {
        return key.indexOf("answer:") === 0;
      });
    }

    /* ---------------------------------------------------------- contest */
    // The page shows the contest's question as it was when the page was made; a new
    // question (or the start, or the end) brings a fresh page, so a tablet that was offline
    // or joined late lands on the question on the projector. The countdown counts down from
    // the server's seconds_left (this tablet's clock may be wrong), the reveal fills in.
    function contestKey(c) {
      return c.state === "waiting" || c.state === "finished" || !c.question ? c.state : "q" + c.index;
    }
    var contestRendered = contest ? contestKey(contest) : null;
    var contestEnds = null;
    function lockContest() {
      root.querySelectorAll(".contest-quiz button, .contest-quiz input, .contest-quiz textarea, .contest-quiz select").forEach(function (node) {
        node.disabled = true;
      });
      root.classList.add("contest-locked");
    }
    function tickContest() {
      var box = root.querySelector("[data-contest-countdown]");
      if (!box || !contest) return;
      if (contest.state !== "open") {
        box.textContent = TEXT.time_up;
        return;
      }
      if (contestEnds === null) {
        box.textContent = TEXT.untimed;
        return;
      }
      var left = Math.max(0, (contestEnds - performance.now()) / 1000);
      box.textContent = String(Math.ceil(left));
      box.classList.toggle("is-low", left <= 5);
      if (left <= 0) {
        box.textContent = TEXT.time_up;
        lockContest();
      }
    }
    function applyContest(c) {
      if (contestKey(c) !== contestRendered) {
        window.location.replace("/me#quiz");
        window.location.reload();
        return;
      }
      contest = c;
      contestEnds = c.state === "open" && c.seconds_left !== null ? performance.now() + c.seconds_left * 1000 : null;
      if (c.state !== "open") lockContest();
      tickContest();
      var reveal = root.querySelector("[data-contest-reveal]");
      if (reveal && c.state === "revealed") {
        reveal.hidden = false;
        var verdict = reveal.querySelector("[data-contest-verdict]");
        verdict.textContent = !c.answered ? TEXT.not_answered : c.correct ? TEXT.you_right : c.correct === false ? TEXT.you_wrong : "";
        verdict.setAttribute("data-correct", String(c.correct));
        reveal.querySelector("[data-contest-right]").textContent = c.right_answer ? TEXT.right_answer + " " + c.right_answer : "";
        // HTML from the server's sanitiser, as every lesson page.
        reveal.querySelector("[data-contest-explain]").innerHTML = c.explain || "";
      }
    }
    if (contest) {
      if (root.querySelector("[data-tab=quiz]") && contest.state !== "waiting") showTab("quiz");
      applyContest(contest);
      setInterval(tickContest, 250);
    }

    /* ---------------------------------------------------------- polling */
    function applyState(state) {
      if (state.contest) {
        if (pacing === "teacher") followTeacher(state);
        return applyContest(state.contest);
      }
      if (pacing === "teacher") followTeacher(state);
      showTicks(state);
      var flag = root.querySelector("[data-quiz-flag]");
      if (flag) flag.hidden = !(state.quiz_open && !state.submitted);
      var reopened = state.quiz_open && form && form.classList.contains("closed");
      var needsPage =
        (state.quiz_open && !renderedOpen && !state.submitted) || (state.submitted && !submitted) || reopened ||
        (reviewWaiting && !state.quiz_open);
      if (needsPage) {
        // The quiz is rendered on the server (plugin widgets are templates): fetch the page.
        window.location.replace("/me#quiz");
        window.location.reload();
        return;
      }
      if (!state.quiz_open && quizRendered && !state.submitted) quizClosed();
    }
    function poll() {
      if (stopped) return;
      request("GET", "/api/v1/me", token, undefined, { "If-None-Match": etag })
        .then(function (result) {
          online = true;
          if (result.status === 200 && result.data) {
            etag = result.headers.get("ETag") || etag;
            applyState(result.data);
          } else if (result.status === 401) {
            stop(TEXT.lost_seat);
          } else if (errorOf(result).code === "session_ended") {
            stop(TEXT.ended);
          }
          if (pendingCount() && !sending) {
            attempt = 0;
            flush();
          }
        })
        .catch(function () {
          online = false;
        })
        .then(function () {
          paintSync();
          var base = document.hidden ? POLL_HIDDEN_MS : POLL_MS;
          setTimeout(poll, base * (0.75 + Math.random() * 0.5));
        });
    }
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) flush();
    });

    paintSync();
    flush(); // whatever an earlier visit left unsent
    setTimeout(poll, POLL_MS * Math.random());
    registerOfflineHelper();
  }

  // On a secure origin (localhost, or a school that serves HTTPS) a service worker keeps the
  // last /me page and its scripts, so a reload without Wi-Fi still shows the quiz and the
  // answers kept here. Elsewhere browsers refuse service workers; the outbox works regardless.
  function registerOfflineHelper() {
    if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
    navigator.serviceWorker
      .register("/tablet-sw.js", { scope: "/" })
      .then(function () {
        return navigator.serviceWorker.ready;
      })
      .then(function (registration) {
        var urls = ["/me"];
        document.querySelectorAll("script[src], link[rel=stylesheet]").forEach(function (node) {
          urls.push(node.getAttribute("src") || node.getAttribute("href"));
        });
        if (registration.active) registration.active.postMessage({ cache: urls });
      })
      .catch(function () {
        /* no offline copy; answers are still kept in localStorage */
      });
  }

  function initEnded() {
    var seat = load(SEAT_KEY, null);
    if (seat) {
      store("kepu.outbox." + seat.session + "." + seat.participant, null);
      store("kepu.answers." + seat.session + "." + seat.participant, null);
      store(SEAT_KEY, null);
    }
  }

  function start() {
    var join = document.querySelector("[data-join]");
    if (join) initJoin(join);
    var me = document.querySelector("[data-me]");
    if (me) initMe(me);
    if (document.querySelector("[data-ended]")) initEnded();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

/* Teacher pages: live polling (ETag → 304), presenter keys, confirmations. No framework. */
(function () {
  "use strict";

  var POLL_MS = 2000;

  // Poll `url` every 2 s with If-None-Match; call `onChange(response)` when it changed.
  function poll(url, onChange) {
    var etag = null;
    function tick() {
      if (document.hidden) { return schedule(); }
      var headers = { "Accept": "application/json, text/html" };
      if (etag) { headers["If-None-Match"] = etag; }
      fetch(url, { headers: headers, cache: "no-store", credentials: "same-origin" })
        .then(function (response) {
          // Signed out meanwhile (the poll was sent to the sign-in page): show that page.
          if (response.redirected || response.status === 401) { window.location.reload(); return; }
          if (response.status === 200) {
            etag = response.headers.get("ETag");
            return onChange(response);
          }
        })
        .catch(function () { /* Wi-Fi hiccup: try again at the next tick */ })
        .then(schedule);
    }
    function schedule() { window.setTimeout(tick, POLL_MS); }
    schedule();
  }

  function setText(selector, value) {
    document.querySelectorAll(selector).forEach(function (el) { el.textContent = value; });
  }

  // The live dashboard: the server renders the changing part; we swap it in.
  document.querySelectorAll("[data-poll-html]").forEach(function (box) {
    poll(box.getAttribute("data-poll-html"), function (response) {
      return response.text().then(function (html) {
        box.innerHTML = html;  // server-rendered and escaped by Jinja
        var joined = box.querySelector("[data-count=joined]");
        if (joined) { setText("[data-live-joined]", joined.textContent); }
      });
    });
  });

  // Join screen: names appear as students join.
  document.querySelectorAll("[data-live-url]").forEach(function (screen) {
    var list = document.querySelector("[data-joined-names]");
    poll(screen.getAttribute("data-live-url"), function (response) {
      return response.json().then(function (live) {
        setText("[data-live-joined]", String(live.joined));
        if (!list) { return; }
        list.textContent = "";
        live.students.forEach(function (student) {
          var li = document.createElement("li");
          li.textContent = student.name;
          list.appendChild(li);
        });
      });
    });
  });

  // Presenter: counts in the live strip.
  document.querySelectorAll("[data-state-url]").forEach(function (presenter) {
    poll(presenter.getAttribute("data-state-url"), function (response) {
      return response.json().then(function (state) {
        setText("[data-live-joined]", String(state.participants));
        setText("[data-live-submitted]", String(state.submitted));
      });
    });
  });

  // The slide fits the screen above previous / next (a 1280×800 projector included): the
  // type steps down until the whole section shows, never below what the back row can read.
  var slide = document.querySelector(".presenting .slide");
  var slideNav = document.querySelector(".presenting .slide-nav");
  function fitSlide() {
    if (!slide || !slideNav || window.innerWidth < 900) { return; }
    slide.style.fontSize = "";
    var size = parseFloat(window.getComputedStyle(slide).fontSize);
    var top = window.scrollY;
    window.scrollTo(0, 0);
    while (size > 15 && slide.getBoundingClientRect().bottom > slideNav.getBoundingClientRect().top + 1) {
      size -= 1;
      slide.style.fontSize = size + "px";
    }
    window.scrollTo(0, top);
  }
  if (slide) {
    fitSlide();
    window.addEventListener("resize", fitSlide);
    window.addEventListener("load", fitSlide); // images change the height once they arrive
    slide.querySelectorAll("img").forEach(function (img) { img.addEventListener("load", fitSlide); });
  }

  // Presentation clickers send Page Down / Page Up; keyboards send the arrows.
  if (document.querySelector(".presenter")) {
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) { return; }
      if (event.altKey || event.ctrlKey || event.metaKey) { return; }
      var action = null;
      if (["ArrowRight", "PageDown", " "].indexOf(event.key) >= 0) { action = "next"; }
      if (["ArrowLeft", "PageUp"].indexOf(event.key) >= 0) { action = "prev"; }
      if (!action) { return; }
      var button = document.querySelector(".slide-nav [data-action=" + action + "]");
      if (button && !button.disabled) {
        event.preventDefault();
        button.click();
      }
    });
  }

  // Launch form: pasting names or picking a saved list means "use it". Without this, names
  // pasted while "No list" is still selected were silently ignored.
  document.querySelectorAll(".launch-form").forEach(function (form) {
    function choose(mode) {
      var radio = form.querySelector('input[name=roster_mode][value="' + mode + '"]');
      if (radio) { radio.checked = true; }
    }
    var pasted = form.querySelector("textarea[name=roster_text]");
    if (pasted) {
      pasted.addEventListener("input", function () { if (pasted.value.trim()) { choose("paste"); } });
    }
    var saved = form.querySelector("select[name=roster_id]");
    if (saved) { saved.addEventListener("change", function () { choose("saved"); }); }
  });

  // Ask before ending a class.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });

  // Full screen for the projector, where the browser allows it.
  document.querySelectorAll("[data-fullscreen]").forEach(function (button) {
    if (!document.documentElement.requestFullscreen) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (document.fullscreenElement) { document.exitFullscreen(); }
      else { document.documentElement.requestFullscreen(); }
    });
  });
})();

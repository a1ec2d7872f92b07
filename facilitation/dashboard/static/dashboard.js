// Roundtable dashboard: live sections over server-sent events, and forms posted in the
// background. Without this file every button still works (each form posts and comes back).
(function () {
  "use strict";
  var layout = document.querySelector("[data-live]");
  if (!layout) return;
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var status = document.getElementById("status");
  var waiting = {};

  function say(text, kind) {
    status.innerHTML = "";
    var p = document.createElement("p");
    p.className = "flash " + (kind || "ok");
    p.textContent = text;
    status.appendChild(p);
  }

  function typingIn(el) {
    var a = document.activeElement;
    if (!a || !el.contains(a)) return false;
    return a.tagName === "TEXTAREA" || a.tagName === "SELECT" ||
      (a.tagName === "INPUT" && a.type !== "hidden" && a.type !== "submit");
  }

  function swap(name, html) {
    var el = document.querySelector('[data-section="' + name + '"]');
    if (!el) return;
    if (typingIn(el)) { waiting[name] = html; return; }  // never pull text from under a cursor
    delete waiting[name];
    var focused = document.activeElement && el.contains(document.activeElement) ? document.activeElement.id : null;
    var open = [];
    el.querySelectorAll("details[open]").forEach(function (d) { if (d.id) open.push(d.id); });
    el.innerHTML = html;
    open.forEach(function (id) { var d = document.getElementById(id); if (d) d.open = true; });
    if (focused) {
      var again = document.getElementById(focused);
      if (again) again.focus();
      else { var main = document.getElementById("main"); if (main) main.focus(); }
    }
  }

  function apply(sections) {
    Object.keys(sections).forEach(function (name) { swap(name, sections[name]); });
  }

  document.addEventListener("focusout", function () {
    setTimeout(function () {
      Object.keys(waiting).forEach(function (name) { swap(name, waiting[name]); });
    }, 0);
  });

  function refresh() {
    return fetch(layout.getAttribute("data-sections"), {
      headers: { "Accept": "application/json" }, credentials: "same-origin"
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (s) { if (s) apply(s); });
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.matches("form[data-action]")) return;
    ev.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json", "X-CSRF-Token": csrf },
      credentials: "same-origin"
    }).then(function (r) {
      return r.json().then(function (body) {
        say(body.ok ? body.message : body.error, body.ok ? "ok" : "problem");
        if (button) button.disabled = false;
        if (body.ok) {
          var details = form.closest("details");
          if (details) details.open = false;
          var field = form.querySelector("input[type=text], textarea");
          if (field && document.activeElement === field) field.blur();
          return refresh();
        }
      });
    }).catch(function () {
      if (button) button.disabled = false;
      say("I couldn't reach the bot. Check your connection and try again.", "problem");
    });
  });

  if (!window.EventSource) return;
  var source = new EventSource(layout.getAttribute("data-live"));
  source.addEventListener("sections", function (ev) { apply(JSON.parse(ev.data)); });
  source.addEventListener("signedout", function () {
    source.close();
    say("You've been signed out. Type /dashboard in the chat for a new link.", "problem");
  });
})();

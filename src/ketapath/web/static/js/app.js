/* KetaPath pages: the CSRF header on HTMX requests, and the idle sign-out countdown.
   The server ends an idle session on its own; the countdown only says when, warns a minute
   before, offers "Stay signed in", and goes to the sign-in page when the time is up. */
(function () {
  "use strict";

  var WARN_SECONDS = 60;

  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) {
      event.detail.headers["X-CSRF-Token"] = meta.getAttribute("content");
    }
  });

  var idleSeconds = Number(document.body.getAttribute("data-idle-seconds") || 0);
  var shown = document.getElementById("idle-timer-value");
  var warning = document.getElementById("idle-warning");
  var warningText = document.getElementById("idle-warning-text");
  var stay = document.getElementById("idle-stay");
  if (!idleSeconds || !shown || !warning || !warningText || !stay) {
    return;
  }

  var deadline = Date.now() + idleSeconds * 1000;

  function format(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function restart() {
    deadline = Date.now() + idleSeconds * 1000;
    warning.hidden = true;
    warningText.textContent = "";
  }

  function tick() {
    var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    shown.textContent = format(left);
    if (left === 0) {
      window.location.assign("/sign-in?reason=idle");
      return;
    }
    if (left <= WARN_SECONDS && warning.hidden) {
      warning.hidden = false;
      warningText.textContent =
        "You will be signed out in 1 minute because there has been no activity.";
    }
  }

  stay.addEventListener("click", function () {
    fetch("/session/keep-alive", { credentials: "same-origin", redirect: "manual" })
      .then(function (response) {
        if (response.status === 204) {
          restart();
        } else {
          window.location.assign("/sign-in?reason=ended");
        }
      })
      .catch(function () {
        window.location.assign("/sign-in?reason=ended");
      });
  });

  document.addEventListener("htmx:afterRequest", restart);
  tick();
  window.setInterval(tick, 1000);
})();

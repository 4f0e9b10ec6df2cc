/* KetaPath pages: the CSRF header on HTMX requests, the idle sign-out countdown, and the
   legends of the pages' charts.
   The server ends an idle session on its own; the countdown only says when, warns a minute
   before, offers "Stay signed in", and goes to the sign-in page when the time is up. */

/* Chart legends (window.KetaPathCharts), shared by every uPlot chart of the pages. Each series is
   labelled with its unit; the legend shows the value under the pointer, and with the pointer off
   the chart (where uPlot would show "--") the latest measured value, the peak of a prediction, a
   reference level or a curve's value at its end, each saying which. */
(function () {
  "use strict";

  /* Two decimals below 10 (fractions, scores), one above (mmHg, ng/mL). */
  function number(value) {
    var scale = Math.abs(value) < 10 ? 100 : 10;
    return String(Math.round(value * scale) / scale);
  }

  function pick(column, peak) {
    var found = -1;
    for (var i = 0; i < column.length; i += 1) {
      if (column[i] != null && (found < 0 || !peak || column[i] > column[found])) {
        found = i;
      }
    }
    return found;
  }

  /* A series' legend value with the pointer off the chart, by `kind`: "latest" (the latest value
     measured), "peak" (of a prediction), "level" (a reference line) or "end" (the value at the
     last x, for curves that end undefined); `words` replaces the kind's name in the legend. */
  function value(kind, words) {
    var prefix = kind === "level" ? "" : (words || kind) + " ";
    var missing = kind === "end" ? "not defined" : "not taken";
    return function (u, raw, seriesIndex, index) {
      if (index != null) {
        return raw == null ? missing : number(raw);
      }
      var column = u.data[seriesIndex] || [];
      var at = kind === "end" ? column.length - 1 : pick(column, kind === "peak");
      if (at < 0 || column[at] == null) {
        return kind === "end" ? prefix + missing : "none yet";
      }
      return prefix + number(column[at]);
    };
  }

  /* The x series' legend value: `format` under the pointer, `offText` with the pointer off. */
  function axis(format, offText) {
    return function (u, raw, seriesIndex, index) {
      return index == null || raw == null ? offText : format(raw);
    };
  }

  window.KetaPathCharts = { axis: axis, number: number, value: value };
}());

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

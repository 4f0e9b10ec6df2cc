/* Session chart: the vital signs (top panel) over the predicted concentration of the doses given
   (bottom panel, KetaPathCharts.concentration), two uPlot panels on one time axis in minutes since
   the session's start, with one cursor. The readings come from #session-readings (data-vitals,
   JSON), which the HTMX answer to a reading replaces: the panels are drawn again then, so the
   new reading shows at once. Each panel says how many points it drew (data-points) for the
   tests. Nothing is computed here. */
(function () {
  "use strict";

  var charts = window.KetaPathCharts;
  if (!charts || typeof uPlot === "undefined") {
    return;
  }

  var VITALS = [
    { key: "sbp_mmhg", label: "SBP (mmHg)", colour: "#1d3f8f", scale: "mmhg" },
    { key: "dbp_mmhg", label: "DBP (mmHg)", colour: "#4f79c4", scale: "mmhg", dash: [6, 3] },
    { key: "hr_bpm", label: "HR (bpm)", colour: "#b71c1c", scale: "mmhg" },
    { key: "rr_per_min", label: "RR (/min)", colour: "#2e7d32", scale: "mmhg", dash: [2, 3] },
    { key: "spo2_pct", label: "SpO2 (%)", colour: "#6a1b9a", scale: "pct", dash: [8, 3, 2, 3] }
  ];
  var SYNC = "session-chart";
  var AXIS_PX = 56;  // the same axis widths on both panels keep their minutes aligned
  var drawn = [];
  var resizing = null;

  function read(element, name) {
    return element ? JSON.parse(element.getAttribute(name) || "null") : null;
  }

  /* One x range for both panels: from the start (or the first reading) to the end of the
     prediction or the latest reading, at least an hour. */
  function span(times) {
    var low = 0;
    var high = 60;
    for (var i = 0; i < times.length; i += 1) {
      low = Math.min(low, times[i]);
      high = Math.max(high, times[i]);
    }
    return [low, high];
  }

  function timeSeries(offText) {
    return { label: "Minutes since start",
             value: charts.axis(charts.number, offText) };
  }

  function options(element, series, scales, axes) {
    return {
      width: Math.max(320, element.clientWidth || 800),
      height: 260,
      series: series,
      scales: scales,
      axes: axes,
      cursor: { sync: { key: SYNC } }
    };
  }

  function vitalsPanel(element, data, range) {
    var columns = [data.times_min];
    var series = [timeSeries("pointer off the chart")];
    VITALS.forEach(function (vital) {
      columns.push(data[vital.key]);
      series.push({ label: vital.label, stroke: vital.colour, dash: vital.dash, width: 2,
                    scale: vital.scale, spanGaps: true, points: { show: true, size: 7 },
                    value: charts.value("latest") });
    });
    var scales = {
      x: { time: false, range: function () { return range; } },
      mmhg: { range: function (u, min, max) { return [0, Math.max(180, (max || 0) + 10)]; } },
      pct: { range: function (u, min) { return [Math.min(80, (min || 100) - 2), 100]; } }
    };
    var axes = [{ label: "min since start" },
                { scale: "mmhg", label: "mmHg · bpm · /min", size: AXIS_PX },
                { scale: "pct", side: 1, label: "SpO2 (%)", size: AXIS_PX, grid: { show: false } }];
    return { options: options(element, series, scales, axes), columns: columns };
  }

  function concentrationPanel(element, data, range) {
    var found = charts.concentration(data);
    found.series[0] = timeSeries("pointer off the chart");
    var scales = { x: { time: false, range: function () { return range; } } };
    var axes = [{ label: "min since start" }, { label: "ng/mL", size: AXIS_PX },
                { scale: "y", label: "ng/mL", side: 1, size: AXIS_PX, grid: { show: false } }];
    return { options: options(element, found.series, scales, axes), columns: found.columns };
  }

  function place(element, panel) {
    element.textContent = "";
    drawn.push(new uPlot(panel.options, panel.columns, element));
    element.setAttribute("data-points", String(panel.columns[0].length));
  }

  function drawAll() {
    var vitalsElement = document.getElementById("vitals-chart");
    var concentrationElement = document.getElementById("concentration-chart");
    var vitals = read(document.getElementById("session-readings"), "data-vitals");
    var predicted = read(concentrationElement, "data-concentration");
    if (!vitalsElement || !vitals) {
      return;
    }
    drawn.forEach(function (plot) { plot.destroy(); });
    drawn = [];
    var range = span(vitals.times_min.concat(predicted ? predicted.times_min : []));
    place(vitalsElement, vitalsPanel(vitalsElement, vitals, range));
    if (concentrationElement && predicted) {
      place(concentrationElement, concentrationPanel(concentrationElement, predicted, range));
    }
  }

  /* A reading charted is cleared from its line, so that it cannot be charted twice by mistake. */
  function clearCharted(event) {
    var form = event.detail.elt;
    if (event.detail.successful && form && form.hasAttribute("data-clear-when-charted")) {
      form.reset();
    }
  }

  /* A tablet turned, or a window resized: draw again at the new width. */
  function redrawSoon() {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(drawAll, 150);
  }

  document.addEventListener("DOMContentLoaded", drawAll);
  document.addEventListener("htmx:afterSettle", drawAll);
  document.addEventListener("htmx:afterRequest", clearCharted);
  window.addEventListener("resize", redrawSoon);
}());

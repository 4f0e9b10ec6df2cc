/* Predicted-concentration charts (uPlot). The series come from a data-chart attribute (JSON,
   ng/mL against minutes from the start); nothing is computed here. The plan page draws them on
   their own; the session page draws the same series under its vital signs
   (KetaPathCharts.concentration, used by session_chart.js). */
(function () {
  "use strict";

  var charts = window.KetaPathCharts;
  if (!charts) {
    return;
  }

  /* The columns and uPlot series of a prediction (legend: the peak of each curve, the level of
     each reference line). */
  function concentration(data) {
    var n = data.times_min.length;
    var constant = function (value) {
      var out = [];
      for (var i = 0; i < n; i += 1) { out.push(value); }
      return out;
    };
    var columns = [data.times_min];
    var series = [{ label: "Time (min)",
                    value: charts.axis(charts.number, "pointer off the chart") }];
    function add(values, label, colour, dash, kind) {
      if (values && values.length === n) {
        columns.push(values);
        series.push({ label: label, stroke: colour, dash: dash, width: 2,
                      value: charts.value(kind) });
      }
    }
    add(data.p5, "5th percentile (ng/mL)", "#7a8fb8", [4, 4], "peak");
    add(data.median, "Median plasma (ng/mL)", "#1d3f8f", undefined, "peak");
    add(data.p95, "95th percentile (ng/mL)", "#7a8fb8", [4, 4], "peak");
    add(data.typical, "Typical patient plasma (ng/mL)", "#444444", undefined, "peak");
    add(data.effect, "Effect site (ng/mL)", "#8a4b00", [2, 3], "peak");
    add(constant(data.band[0]), "Analgesic band low (ng/mL)", "#2e7d32", [8, 4], "level");
    add(constant(data.band[1]), "Analgesic band high (ng/mL)", "#2e7d32", [8, 4], "level");
    add(constant(data.dissociation[1]), "Dissociation range top (ng/mL)", "#b71c1c", [8, 4],
        "level");
    return { columns: columns, series: series };
  }

  charts.concentration = concentration;

  function draw(element) {
    var data = JSON.parse(element.getAttribute("data-chart") || "null");
    if (!data || typeof uPlot === "undefined") {
      return;
    }
    var found = concentration(data);
    var width = Math.max(320, element.clientWidth || 800);
    element.textContent = "";
    // x is minutes from the start of the plan, not a clock time
    new uPlot({ width: width, height: 320, series: found.series, scales: { x: { time: false } },
                axes: [{ label: "min" }, { label: "ng/mL" }] }, found.columns, element);
  }

  function drawAll() {
    var found = document.querySelectorAll("[data-chart]");
    for (var i = 0; i < found.length; i += 1) { draw(found[i]); }
  }

  document.addEventListener("DOMContentLoaded", drawAll);
  document.addEventListener("htmx:afterSettle", drawAll);
}());

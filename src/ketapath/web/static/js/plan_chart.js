/* Concentration and vital-sign charts of the plan and session pages (uPlot). The series come
   from the page's data-chart attribute (JSON, ng/mL against min); nothing is computed here. */
(function () {
  "use strict";

  function draw(element) {
    var data = JSON.parse(element.getAttribute("data-chart") || "null");
    if (!data || typeof uPlot === "undefined") {
      return;
    }
    var n = data.times_min.length;
    var constant = function (value) {
      var out = [];
      for (var i = 0; i < n; i += 1) { out.push(value); }
      return out;
    };
    var columns = [data.times_min];
    var series = [{ label: "Time (min)" }];
    function add(values, label, colour, dash) {
      if (values && values.length === n) {
        columns.push(values);
        series.push({ label: label, stroke: colour, dash: dash, width: 2 });
      }
    }
    add(data.p5, "5th percentile (ng/mL)", "#7a8fb8", [4, 4]);
    add(data.median, "Median plasma (ng/mL)", "#1d3f8f");
    add(data.p95, "95th percentile (ng/mL)", "#7a8fb8", [4, 4]);
    add(data.typical, "Typical patient plasma (ng/mL)", "#444444");
    add(data.effect, "Effect site (ng/mL)", "#8a4b00", [2, 3]);
    add(constant(data.band[0]), "Analgesic band low (ng/mL)", "#2e7d32", [8, 4]);
    add(constant(data.band[1]), "Analgesic band high (ng/mL)", "#2e7d32", [8, 4]);
    add(constant(data.dissociation[1]), "Dissociation range top (ng/mL)", "#b71c1c", [8, 4]);
    var width = Math.max(320, element.clientWidth || 800);
    element.textContent = "";
    // x is minutes from the start of the plan, not a clock time
    new uPlot({ width: width, height: 320, series: series, scales: { x: { time: false } },
                axes: [{ label: "min" }, { label: "ng/mL" }] }, columns, element);
  }

  function drawAll() {
    var charts = document.querySelectorAll("[data-chart]");
    for (var i = 0; i < charts.length; i += 1) { draw(charts[i]); }
  }

  document.addEventListener("DOMContentLoaded", drawAll);
  document.addEventListener("htmx:afterSettle", drawAll);
}());

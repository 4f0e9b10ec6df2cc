/* Relief-duration charts of the clinic outcomes page (uPlot step curves). Each curve comes from
   its element's data-relief-curve attribute (JSON: days, survival and band); nothing is
   computed here. Off the chart, the legend shows each curve's value at the last day. */
(function () {
  "use strict";

  function draw(element) {
    var data = JSON.parse(element.getAttribute("data-relief-curve") || "null");
    var charts = window.KetaPathCharts;
    if (!data || typeof uPlot === "undefined" || !charts || !data.time_days.length) {
      return;
    }
    var step = uPlot.paths && uPlot.paths.stepped ? uPlot.paths.stepped({ align: 1 }) : undefined;
    var band = data.confidence_pct + " % band";
    var latest = charts.value("end", "at the last day");
    var series = [
      { label: "Days after the course", value: charts.axis(charts.number, "pointer off the chart") },
      { label: "Relief lasting (fraction)", stroke: "#1d3f8f", width: 2, paths: step, value: latest },
      { label: "Lower " + band + " (fraction)", stroke: "#7a8fb8", dash: [4, 4], width: 1,
        paths: step, value: latest },
      { label: "Upper " + band + " (fraction)", stroke: "#7a8fb8", dash: [4, 4], width: 1,
        paths: step, value: latest }
    ];
    var columns = [data.time_days, data.survival, data.lower, data.upper];
    var width = Math.max(320, element.clientWidth || 800);
    element.textContent = "";
    // x is days after the last session of the course, not a clock time
    new uPlot({ width: width, height: 280, series: series,
                scales: { x: { time: false }, y: { range: [0, 1] } },
                axes: [{ label: "days" }, { label: "fraction (0–1)" }] }, columns, element);
  }

  function drawAll() {
    var charts = document.querySelectorAll("[data-relief-curve]");
    for (var i = 0; i < charts.length; i += 1) { draw(charts[i]); }
  }

  document.addEventListener("DOMContentLoaded", drawAll);
  document.addEventListener("htmx:afterSettle", drawAll);
}());

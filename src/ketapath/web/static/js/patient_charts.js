/* Patient page: draw each outcome trend with uPlot from its data-series attribute, with the
   IMMPACT thresholds as dashed lines. No inline script: the page's policy allows none. The
   legend shows the date and score under the pointer, and off the chart the latest score. */
(function () {
  "use strict";
  var charts = window.KetaPathCharts;
  if (typeof uPlot === "undefined" || !charts) {
    return;
  }
  var day = uPlot.fmtDate("{YYYY}-{MM}-{DD}");
  var COLOURS = ["#b35900", "#6a1b9a"];
  document.querySelectorAll(".trend-chart[data-series]").forEach(function (element) {
    var data = JSON.parse(element.getAttribute("data-series"));
    var xs = data.points.map(function (p) { return p[0]; });
    var columns = [xs, data.points.map(function (p) { return p[1]; })];
    var series = [
      { label: "Date", value: charts.axis(function (t) { return day(new Date(t * 1000)); },
                                          "pointer off the chart") },
      { label: data.title + " (" + data.unit + ")", stroke: "#005ea5", width: 2,
        points: { show: true, size: 7 }, value: charts.value("latest") }];
    Object.keys(data.thresholds).forEach(function (name, index) {
      var level = data.thresholds[name];
      columns.push(xs.map(function () { return level; }));
      series.push({ label: name + " (" + data.unit + ")", stroke: COLOURS[index % COLOURS.length],
        dash: [6, 4], width: 1.5, points: { show: false }, value: charts.value("level") });
    });
    var width = Math.max(280, element.clientWidth || 480);
    new uPlot({ width: width, height: 220, series: series,
      axes: [{}, { label: data.unit }], scales: { y: { range: function (u, min, max) {
        return [0, Math.max(max, 1)]; } } } }, columns, element);
  });
})();

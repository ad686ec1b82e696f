// Step charts of scores over time, drawn with the Chart.js served by this site.
(function () {
  "use strict";
  function draw(canvasId, dataId) {
    var canvas = document.getElementById(canvasId);
    var source = document.getElementById(dataId);
    if (!canvas || !source || !window.Chart) { return; }
    var series = JSON.parse(source.textContent);
    var lang = document.documentElement.lang || "es";
    new window.Chart(canvas, {
      type: "line",
      data: {datasets: series.map(function (s) {
        return {label: s.label, data: s.data, stepped: "before", pointRadius: 3, borderWidth: 2};
      })},
      options: {
        animation: false,
        maintainAspectRatio: false,
        parsing: true,
        scales: {x: {type: "linear", ticks: {callback: function (v) {
          return new Date(v).toLocaleDateString(lang, {month: "short", day: "numeric"});
        }}}},
        plugins: {legend: {position: "bottom"}, tooltip: {callbacks: {title: function (items) {
          return new Date(items[0].parsed.x).toLocaleString(lang);
        }}}}
      }
    });
  }
  draw("history-chart", "history-data");
  draw("team-chart", "team-data");
})();

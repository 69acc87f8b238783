// The dashboard's trend charts: one ECharts line chart per key figure, drawn from the JSON
// the page embeds (#board-data, Django's json_script) and redrawn when htmx swaps in new
// figures (the partial carries fresh JSON).
(function () {
  "use strict";
  var charts = {};

  function data() {
    var node = document.getElementById("board-data");
    return node ? JSON.parse(node.textContent) : null;
  }

  function option(days, series) {
    return {
      animation: false,
      grid: { left: 40, right: 12, top: 10, bottom: 24 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: days, boundaryGap: false, axisLabel: { fontSize: 10 } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: 10 } },
      series: [{ type: "line", name: series.label, data: series.values, symbolSize: 4,
                 lineStyle: { width: 2 }, itemStyle: { color: "#b3261e" }, areaStyle: { opacity: 0.08 } }]
    };
  }

  function draw() {
    var found = data();
    if (!found || !window.echarts) return;
    var byId = {};
    found.series.forEach(function (s) { byId[s.id] = s; });
    document.querySelectorAll(".chart[data-series]").forEach(function (box) {
      var series = byId[box.dataset.series];
      if (!series) return;
      var chart = charts[box.dataset.series] || window.echarts.init(box, null, { renderer: "canvas" });
      charts[box.dataset.series] = chart;
      chart.setOption(option(found.days, series), true);
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.body.addEventListener("htmx:afterSwap", draw);
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (k) { charts[k].resize(); });
  });
})();

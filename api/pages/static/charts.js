// Dashboard charts (Apache ECharts, bundled): data comes from the page's JSON block.
(function () {
  "use strict";
  var holder = document.querySelector("[data-chart]");
  var source = document.getElementById("chart-data");
  if (!holder || !source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(holder, null, { renderer: "svg" });
  var font = { fontFamily: "Noto Sans CJK SC, Microsoft YaHei, sans-serif" };
  var option;
  if (holder.getAttribute("data-chart") === "caseloads") {
    option = {
      textStyle: font,
      tooltip: { trigger: "axis" },
      legend: { data: ["在办", "超期", "已办结", "满意率"] },
      grid: { left: 48, right: 56, top: 40, bottom: 40 },
      xAxis: { type: "category", data: data.leaders },
      yAxis: [{ type: "value", name: "件", minInterval: 1 }, { type: "value", name: "满意率 %", min: 0, max: 100 }],
      series: [
        { name: "在办", type: "bar", data: data.series.open, itemStyle: { color: "#1677ff" } },
        { name: "超期", type: "bar", data: data.series.overdue, itemStyle: { color: "#d4380d" } },
        { name: "已办结", type: "bar", data: data.series.closed, itemStyle: { color: "#52c41a" } },
        { name: "满意率", type: "line", yAxisIndex: 1, data: data.satisfaction, itemStyle: { color: "#fa8c16" } }
      ]
    };
  } else {
    var names = Object.keys(data.series);
    option = {
      textStyle: font,
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; } },
      legend: { data: names },
      grid: { left: 48, right: 24, top: 40, bottom: 40 },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", name: "%", min: 0, max: 100 },
      series: names.map(function (n) { return { name: n, type: "line", connectNulls: false, data: data.series[n] }; })
    };
  }
  // No animation: the chart is final at once (screenshots, print), and legend on top, clear of the axis.
  option.animation = false;
  option.legend.top = 0;
  option.grid.top = 56;
  chart.setOption(option);
  holder.setAttribute("data-rendered", "true");
  window.addEventListener("resize", function () { chart.resize(); });
  window.addEventListener("beforeprint", function () { chart.resize(); });
})();

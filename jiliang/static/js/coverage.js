/* jiliang — 建标覆盖率 by county: one bar per county (percent), the plan's target as a dashed line. The data
   arrives through Django's json_script; ECharts is served from our own static files (never a CDN). */
(function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function draw(el) {
    var data = readJson(el.dataset.source);
    if (!data || !window.echarts) {
      return;
    }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    var many = data.rows.length > 8;
    chart.setOption({
      animationDuration: 500,
      grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter: function (items) {
          var row = data.rows[items[0].dataIndex];
          var value = row.percent === null ? "—" : row.percent + "%";
          return row.name + "<br>" + data.series_label + ": " + value + " (" + row.numerator + " / " + row.denominator + ")";
        },
      },
      xAxis: {
        type: "category",
        data: data.rows.map(function (r) { return r.name; }),
        axisTick: { show: false },
        axisLine: { lineStyle: { color: "#c9d0da" } },
        axisLabel: { color: "#4b5563", interval: 0, rotate: many ? 30 : 0 },
      },
      yAxis: {
        type: "value",
        min: 0,
        max: 100,
        name: data.y_label,
        nameTextStyle: { color: "#6b7280", align: "left" },
        splitLine: { lineStyle: { color: "#edf0f4" } },
        axisLabel: { color: "#6b7280" },
      },
      series: [
        {
          name: data.series_label,
          type: "bar",
          barMaxWidth: 46,
          data: data.rows.map(function (r) {
            return {
              value: r.percent,
              itemStyle: { color: r.percent !== null && r.percent >= data.target ? "#2e9d5b" : "#f0a020" },
            };
          }),
          label: { show: true, position: "top", formatter: function (p) { return p.value === null ? "—" : p.value + "%"; } },
          markLine: {
            symbol: "none",
            lineStyle: { type: "dashed", color: "#d64541" },
            label: { formatter: data.target_label, color: "#d64541", position: "insideEndTop" },
            data: [{ yAxis: data.target }],
          },
        },
      ],
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.setAttribute("data-ready", "true");
  }

  function init() {
    document.querySelectorAll("[data-chart='coverage-by-county']").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

/* jiliang — 建标覆盖率 by county: one bar per county (percent), the plan's target as a dashed line
   (window.jiliangCharts from chartkit.js). */
(function () {
  "use strict";

  var kit = window.jiliangCharts;

  function draw(el) {
    var data = kit.readJson(el.dataset.source);
    if (!data) {
      return;
    }
    var axes = kit.countyAxes(data.rows, { min: 0, max: 100, name: data.y_label });
    kit.draw(el, {
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
      xAxis: axes.xAxis,
      yAxis: axes.yAxis,
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
  }

  kit.each("coverage-by-county", draw);
})();

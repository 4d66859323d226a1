/* jiliang — a special campaign's dashboard: per county, the organizations checked, those with a problem, the
   rectification orders and the cases as grouped bars; and the problems by kind as horizontal bars
   (window.jiliangCharts from chartkit.js). */
(function () {
  "use strict";

  var kit = window.jiliangCharts;
  var COLORS = { checked: "#3b7ddd", problems: "#f0a020", orders: "#d64541", cases: "#7a4fb5" };

  function counties(el) {
    var data = kit.readJson(el.dataset.source);
    if (!data) {
      return;
    }
    var keys = ["checked", "problems", "orders", "cases"];
    var axes = kit.countyAxes(data.rows, { minInterval: 1 });
    kit.draw(el, {
      animationDuration: 400,
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: axes.xAxis,
      yAxis: axes.yAxis,
      series: keys.map(function (key) {
        return {
          name: data.labels[key],
          type: "bar",
          barMaxWidth: 22,
          itemStyle: { color: COLORS[key] },
          data: data.rows.map(function (r) { return r[key]; }),
        };
      }),
    });
  }

  function kinds(el) {
    var data = kit.readJson(el.dataset.source);
    if (!data || !data.kinds.length) {
      return;
    }
    var rows = data.kinds.slice().reverse();
    kit.draw(el, {
      animationDuration: 400,
      grid: { left: 8, right: 32, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: {
        type: "category",
        data: rows.map(function (r) { return r.name; }),
        axisLabel: { width: 260, overflow: "truncate" },
      },
      series: [
        {
          name: data.kinds_label,
          type: "bar",
          barMaxWidth: 18,
          itemStyle: { color: "#f0a020" },
          label: { show: true, position: "right" },
          data: rows.map(function (r) { return r.value; }),
        },
      ],
    });
  }

  kit.each("campaign-counties", counties);
  kit.each("campaign-kinds", kinds);
})();

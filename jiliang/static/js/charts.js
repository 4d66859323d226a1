/* jiliang — the regulator's dashboard chart (window.jiliangCharts from chartkit.js). */
(function () {
  "use strict";

  var kit = window.jiliangCharts;

  function listUrl(data, row, stateKey) {
    var params = new URLSearchParams();
    params.set("county", row.id);
    if (stateKey) {
      params.set("due_state", stateKey);
    }
    return data.list_url + "?" + params.toString();
  }

  // A stacked bar per county: in-use mandatory instruments by due state. Clicking a segment opens the list
  // filtered by that county and state.
  function drawDueByCounty(el) {
    var data = kit.readJson(el.dataset.source);
    if (!data) {
      return;
    }
    var axes = kit.countyAxes(data.rows, { name: data.y_label });
    var chart = kit.draw(el, {
      animationDuration: 500,
      color: data.states.map(function (s) { return s.color; }),
      grid: { left: 8, right: 16, top: 44, bottom: 8, containLabel: true },
      legend: { top: 0, right: 0, itemWidth: 12, itemHeight: 12, textStyle: { color: "#4b5563" } },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        valueFormatter: function (v) { return Number(v).toLocaleString(); },
      },
      xAxis: axes.xAxis,
      yAxis: axes.yAxis,
      series: data.states.map(function (s) {
        return {
          name: s.label,
          type: "bar",
          stack: "total",
          barMaxWidth: 46,
          emphasis: { focus: "series" },
          cursor: "pointer",
          data: data.rows.map(function (r) { return r.counts[s.key]; }),
        };
      }),
    });
    chart.on("click", function (params) {
      var row = data.rows[params.dataIndex];
      var state = data.states[params.seriesIndex];
      if (row && state) {
        window.location.href = listUrl(data, row, state.key);
      }
    });
  }

  kit.each("due-by-county", drawDueByCounty);
})();

/* jiliang — ECharts set-up for the dashboards. The data arrives through Django's json_script; ECharts itself
   is served from our own static files (jiliang/static/vendor/echarts.min.js, installed by `make assets`). */
(function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

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
    var data = readJson(el.dataset.source);
    if (!data || !window.echarts) {
      return;
    }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    var many = data.rows.length > 8;
    chart.setOption({
      animationDuration: 500,
      color: data.states.map(function (s) { return s.color; }),
      grid: { left: 8, right: 16, top: 44, bottom: 8, containLabel: true },
      legend: { top: 0, right: 0, itemWidth: 12, itemHeight: 12, textStyle: { color: "#4b5563" } },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        valueFormatter: function (v) { return Number(v).toLocaleString(); },
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
        name: data.y_label,
        nameTextStyle: { color: "#6b7280", align: "left" },
        splitLine: { lineStyle: { color: "#edf0f4" } },
        axisLabel: { color: "#6b7280" },
      },
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
    window.addEventListener("resize", function () { chart.resize(); });
    el.setAttribute("data-ready", "true");
  }

  function init() {
    document.querySelectorAll("[data-chart='due-by-county']").forEach(drawDueByCounty);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

/* jiliang — the plan dashboards' charts (ECharts from our own static files). Data arrives through json_script:
   #indicator-charts (every indicator of a plan, keyed by code) on the plan page, #indicator-chart and
   #county-chart on an indicator's page. */
(function () {
  "use strict";

  var kit = window.jiliangCharts;
  var COLORS = { met: "#2e9d5b", on_track: "#f0a020", off_track: "#d64541", missed: "#b42318", no_data: "#9aa5b1" };

  function fmt(v, unit) {
    if (v === null || v === undefined) { return "—"; }
    return (Math.round(v * 100) / 100).toLocaleString() + (unit === "%" ? "%" : " " + unit);
  }

  function trendOption(data, small) {
    var color = COLORS[data.status] || COLORS.no_data;
    var series = [
      {
        name: data.labels.value, type: "line", data: data.points, showSymbol: !small, symbolSize: 5,
        lineStyle: { color: color, width: 2 }, itemStyle: { color: color },
        areaStyle: small ? { color: color, opacity: 0.08 } : undefined,
        markLine: {
          silent: true, symbol: "none",
          lineStyle: { color: "#0b4aa2", type: "dashed", width: 1 },
          label: { show: !small, formatter: data.labels.target + " " + fmt(data.target, data.unit) },
          data: [{ yAxis: data.target }],
        },
      },
    ];
    if (data.projection && data.projection.length) {
      series.push({
        name: data.labels.projection, type: "line", data: data.projection, showSymbol: !small,
        lineStyle: { color: color, type: "dotted", width: 2 }, itemStyle: { color: color },
      });
    }
    return {
      animation: !small,
      grid: small ? { left: 2, right: 2, top: 6, bottom: 2 } : { left: 8, right: 72, top: 30, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return fmt(v, data.unit); } },
      legend: small ? undefined : { top: 0, right: 0 },
      xAxis: { type: "time", show: !small, axisLabel: { color: "#6b7280" } },
      yAxis: {
        type: "value", show: !small, scale: true, axisLabel: { color: "#6b7280" },
        splitLine: { lineStyle: { color: "#edf0f4" } },
        // Whole numbers around the figures and the target, never past 100 for a share.
        max: function (v) {
          var top = Math.ceil(Math.max(v.max, data.target) * (small ? 1.02 : 1.05));
          return data.unit === "%" ? Math.min(top, 100) : top;
        },
        min: function (v) { return Math.max(0, Math.floor(Math.min(v.min, data.target) * (small ? 0.98 : 0.95))); },
      },
      series: series,
    };
  }

  var all; // every indicator of a plan, read once for all its sparklines

  function drawSpark(el) {
    all = all || kit.readJson("indicator-charts");
    var data = all && all[el.dataset.code];
    if (data) { kit.draw(el, trendOption(data, true)); }
  }

  function drawLarge(el) {
    var data = kit.readJson(el.dataset.source);
    if (data) { kit.draw(el, trendOption(data, false)); }
  }

  function drawCounties(el) {
    var data = kit.readJson(el.dataset.source);
    if (!data) { return; }
    var chart = kit.draw(el, {
      grid: { left: 8, right: 72, top: 30, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return fmt(v, data.unit); } },
      xAxis: {
        type: "category", data: data.rows.map(function (r) { return r.name; }),
        axisLabel: { interval: 0, rotate: data.rows.length > 8 ? 30 : 0, color: "#4b5563" },
      },
      yAxis: { type: "value", axisLabel: { color: "#6b7280" }, splitLine: { lineStyle: { color: "#edf0f4" } } },
      series: [{
        name: data.labels.value, type: "bar", barMaxWidth: 40, cursor: "pointer",
        data: data.rows.map(function (r) {
          var ok = r.value !== null && r.value >= data.target;
          return {
            value: r.value,
            itemStyle: { color: r.id === data.selected ? "#0b4aa2" : (ok ? COLORS.met : COLORS.off_track) },
          };
        }),
        markLine: {
          silent: true, symbol: "none", lineStyle: { color: "#0b4aa2", type: "dashed" },
          label: { formatter: data.labels.target + " " + fmt(data.target, data.unit) },
          data: [{ yAxis: data.target }],
        },
      }],
    });
    chart.on("click", function (params) {
      var row = data.rows[params.dataIndex];
      if (row) { window.location.href = el.dataset.url + "?county=" + row.id; }
    });
  }

  kit.each("indicator-trend", drawSpark);
  kit.each("indicator-trend-large", drawLarge);
  kit.each("indicator-counties", drawCounties);
})();

/* jiliang — what every chart page shares: ECharts comes from our own static files (never a CDN) and a chart's
   data through Django's json_script. Loaded (deferred) before the page's own chart script, which uses
   window.jiliangCharts: readJson, draw, each (start every chart of a kind once the page is parsed) and
   countyAxes (the axes of a bar per county). */
(function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  // Draw `option` in `el`: the chart follows the window's size, and el gets data-ready once it is drawn.
  function draw(el, option) {
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
    el.setAttribute("data-ready", "true");
    return chart;
  }

  // Call start(el) for every element marked data-chart=<kind>, once the page is parsed and if ECharts loaded.
  function each(kind, start) {
    function run() {
      if (!window.echarts) {
        return;
      }
      document.querySelectorAll("[data-chart='" + kind + "']").forEach(start);
    }
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", run);
    } else {
      run();
    }
  }

  // A bar per county: the counties along the bottom (turned when there are many), `yAxis` adds to the values' axis.
  function countyAxes(rows, yAxis) {
    return {
      xAxis: {
        type: "category",
        data: rows.map(function (r) { return r.name; }),
        axisTick: { show: false },
        axisLine: { lineStyle: { color: "#c9d0da" } },
        axisLabel: { color: "#4b5563", interval: 0, rotate: rows.length > 8 ? 30 : 0 },
      },
      yAxis: Object.assign(
        {
          type: "value",
          nameTextStyle: { color: "#6b7280", align: "left" },
          splitLine: { lineStyle: { color: "#edf0f4" } },
          axisLabel: { color: "#6b7280" },
        },
        yAxis
      ),
    };
  }

  window.jiliangCharts = { readJson: readJson, draw: draw, each: each, countyAxes: countyAxes };
})();

/* jiliang — the traceability chain of a standard as an ECharts graph. The data arrives through Django's
   json_script (see jiliang/standards/views/traceability.py `_chart`): nodes with a level (0 = the standard looked at,
   the highest = SI) and a horizontal position in 0..1, links with their validity state and colour. Levels are
   laid out bottom (this standard) to top (SI). ECharts is served from our own static files. */
(function () {
  "use strict";

  var kit = window.jiliangCharts;
  var ROW = 92; // pixels between levels
  var STYLE = {
    standard: { fill: "#e8f0fe", border: "#0b4aa2", text: "#062c61" },
    standardInvalid: { fill: "#fdebe9", border: "#d64541", text: "#8f1c13" },
    equipment: { fill: "#ffffff", border: "#8a94a3", text: "#374151" },
    authority: { fill: "#f3edff", border: "#7c3aed", text: "#4c1d95" },
    si: { fill: "#0b4aa2", border: "#062c61", text: "#ffffff" },
  };

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function nodeStyle(node) {
    if (node.kind === "standard") {
      return node.valid === false ? STYLE.standardInvalid : STYLE.standard;
    }
    return STYLE[node.kind] || STYLE.equipment;
  }

  function drawChain(el) {
    var data = kit.readJson(el.dataset.source);
    if (!data) {
      return;
    }
    var height = Math.max(420, data.levels * ROW + 40);
    el.style.height = height + "px";
    var width = el.clientWidth || 1000;
    var perLevel = {};
    data.nodes.forEach(function (n) { perLevel[n.level] = (perLevel[n.level] || 0) + 1; });

    var brokenSources = {};
    data.links.forEach(function (l) {
      if (l.broken) {
        brokenSources[l.source] = true;
      }
    });

    var nodes = data.nodes.map(function (n) {
      var style = nodeStyle(n);
      if (brokenSources[n.id]) {
        style = { fill: "#fff5f4", border: "#d64541", text: "#8f1c13" };
      }
      var slot = width / (perLevel[n.level] + 1);
      var boxWidth = Math.max(96, Math.min(n.kind === "equipment" ? 170 : 220, slot - 16));
      var isSi = n.kind === "si";
      var lines = [n.name];
      if (n.detail && n.kind !== "si") {
        lines.push("{d|" + n.detail + "}");
      }
      // The box is the label (its size follows the text); the invisible symbol of the same size lets ECharts
      // end the lines and arrows at the box's edge.
      var boxHeight = n.detail && !isSi ? 42 : 28;
      return {
        id: n.id,
        name: n.name,
        x: n.x * width,
        y: (data.levels - 1 - n.level) * ROW,
        symbol: isSi ? "circle" : "rect",
        symbolSize: isSi ? 58 : [boxWidth, boxHeight],
        cursor: n.url ? "pointer" : "default",
        itemStyle: isSi
          ? { color: style.fill, borderColor: style.border, borderWidth: 2 }
          : { color: "rgba(0,0,0,0)", borderWidth: 0 },
        label: {
          show: true,
          position: "inside",
          color: style.text,
          fontSize: isSi ? 16 : 12,
          fontWeight: isSi || n.root || n.kind === "standard" ? "bold" : "normal",
          width: isSi ? 50 : boxWidth - 18,
          overflow: "truncate",
          lineHeight: 16,
          align: "center",
          padding: isSi ? 0 : [5, 8],
          backgroundColor: isSi ? "transparent" : style.fill,
          borderColor: isSi ? "transparent" : style.border,
          borderWidth: isSi ? 0 : n.root ? 2.5 : 1.2,
          borderRadius: 6,
          shadowBlur: n.root ? 10 : 0,
          shadowColor: "rgba(11, 74, 162, 0.25)",
          formatter: lines.join("\n"),
          rich: {
            d: { fontSize: 10, lineHeight: 14, color: "#6b7280", fontWeight: "normal", width: boxWidth - 18, overflow: "truncate", align: "center" },
          },
        },
        raw: n,
      };
    });

    // Two invisible corners pin the drawing to the whole width, so the outer boxes are not cut off (ECharts
    // fits the nodes' centres to the area).
    [[0, 0], [width, (data.levels - 1) * ROW]].forEach(function (corner, i) {
      nodes.push({
        id: "corner-" + i,
        name: "",
        x: corner[0],
        y: corner[1],
        symbolSize: 0,
        label: { show: false },
        tooltip: { show: false },
        raw: null,
      });
    });

    var links = data.links.map(function (l) {
      var structural = l.kind !== "certificate";
      return {
        source: l.source,
        target: l.target,
        symbol: structural ? ["none", "none"] : ["none", "arrow"],
        symbolSize: [0, 9],
        lineStyle: {
          color: l.color,
          width: l.broken ? 3.5 : structural ? 1.2 : 2.2,
          type: structural ? "dashed" : "solid",
          opacity: structural ? 0.8 : 1,
          curveness: 0,
        },
        label: {
          show: l.broken,
          formatter: data.text.broken,
          color: "#b42318",
          fontWeight: "bold",
          fontSize: 11,
          backgroundColor: "#fff",
          borderColor: "#f6c5bf",
          borderWidth: 1,
          borderRadius: 3,
          padding: [2, 4],
        },
        raw: l,
      };
    });

    var chart = kit.draw(el, {
      animationDuration: 400,
      tooltip: {
        trigger: "item",
        confine: true,
        formatter: function (params) {
          var raw = params.data.raw;
          if (!raw) {
            return "";
          }
          if (params.dataType === "edge") {
            if (raw.kind !== "certificate") {
              return escapeHtml(raw.state_label);
            }
            return [
              "<b>" + escapeHtml(data.text.certificate) + "</b> " + escapeHtml(raw.number),
              escapeHtml(data.text.issued_on) + " " + escapeHtml(raw.issued_on),
              escapeHtml(data.text.valid_until) + " " + escapeHtml(raw.valid_until),
              '<span style="color:' + raw.color + '">● ' + escapeHtml(raw.state_label) + "</span>",
            ].join("<br>");
          }
          var text = ["<b>" + escapeHtml(raw.name) + "</b>", escapeHtml(raw.kind_label)];
          if (raw.detail) {
            text.push(escapeHtml(raw.detail));
          }
          if (raw.kind === "standard") {
            text.push(escapeHtml(raw.valid ? data.text.valid : data.text.invalid));
            raw.reasons.forEach(function (r) { text.push(escapeHtml(r)); });
          }
          return text.join("<br>");
        },
      },
      series: [
        {
          type: "graph",
          layout: "none",
          left: 8,
          right: 8,
          top: 36,
          bottom: 36,
          roam: false,
          data: nodes,
          links: links,
          emphasis: { focus: "adjacency", lineStyle: { width: 4 } },
          z: 2,
        },
      ],
    });
    chart.on("click", function (params) {
      if (params.dataType === "node" && params.data.raw && params.data.raw.url) {
        window.location.href = params.data.raw.url;
      }
    });
  }

  kit.each("trace-chain", drawChain);
})();

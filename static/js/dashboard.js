/* Tuoyu dashboards: sortable tables, the region map and the charts.
 *
 * The page carries its figures in <script type="application/json" id="dashboard-data"> (Django's
 * json_script), because the Content-Security-Policy forbids inline scripts. Every chart has a data
 * table on the page, so nothing here is needed to read the figures: this only adds sorting and pictures.
 */
(function () {
  "use strict";

  // --- Sortable tables: a button in each header cell, so sorting works from the keyboard. ---------
  function sortValue(cell, numeric) {
    var raw = cell ? cell.getAttribute("data-sort") : "";
    if (!numeric) { return raw || ""; }
    if (raw === "" || raw === null) { return null; }
    var n = parseFloat(raw);
    return isNaN(n) ? null : n;
  }

  function sortTable(table, col, numeric, button) {
    var th = button.closest("th");
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("thead th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    // A whole-area total row stays last whatever the order.
    var rows = Array.prototype.slice.call(body.rows).filter(function (r) { return !r.hasAttribute("data-total"); });
    var totals = Array.prototype.slice.call(body.querySelectorAll("tr[data-total]"));
    rows.sort(function (a, b) {
      var x = sortValue(a.querySelectorAll("[data-sort]")[col], numeric);
      var y = sortValue(b.querySelectorAll("[data-sort]")[col], numeric);
      // Blanks ("not provided") always sort last, whichever the direction.
      if (x === null || x === "") { return (y === null || y === "") ? 0 : 1; }
      if (y === null || y === "") { return -1; }
      var c = numeric ? x - y : String(x).localeCompare(String(y), document.documentElement.lang || "zh");
      return ascending ? c : -c;
    });
    rows.concat(totals).forEach(function (r) { body.appendChild(r); });
  }

  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("button.sort").forEach(function (button) {
      button.addEventListener("click", function () {
        sortTable(table, parseInt(button.getAttribute("data-col"), 10), button.getAttribute("data-numeric") === "1", button);
      });
    });
  });

  var printButton = document.getElementById("print-button");
  if (printButton) { printButton.addEventListener("click", function () { window.print(); }); }

  // --- Charts ------------------------------------------------------------------------------------
  var dataNode = document.getElementById("dashboard-data");
  if (!dataNode || !window.echarts) { return; }
  var data = JSON.parse(dataNode.textContent);
  var L = data.labels || {};
  var charts = [];
  var PALETTE = ["#fde0dd", "#fbb4b9", "#f768a1", "#c51b8a", "#7a0177"];
  var INK = "#1d2733";
  var SERIES = ["#0b5cad", "#b3261e", "#1b7f3b", "#a15c00", "#6a3d9a", "#00838f", "#5b6775"];

  function init(id) {
    var node = document.getElementById(id);
    if (!node) { return null; }
    var chart = window.echarts.init(node, null, { renderer: node.getAttribute("data-renderer") || "canvas" });
    charts.push(chart);
    return chart;
  }

  function fmt(n) { return n === null || n === undefined ? "—" : Number(n).toLocaleString(); }

  function drawMap() {
    var node = document.getElementById("region-map");
    if (!node || !data.map) { return; }
    fetch(data.map.url, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (geo) {
        window.echarts.registerMap(data.map.name, geo);
        var byCode = {};
        data.children.forEach(function (c) { byCode[c.code] = c; });
        var labels = {};
        geo.features.forEach(function (f) { labels[f.properties.name] = f.properties.label; });
        var values = data.children.map(function (c) { return c.value; }).filter(function (v) { return v !== null; });
        // The colour scale spans the child regions' own range, so differences between them show even when
        // all are far from the target (the table's bars show each against the target).
        var lo = values.length ? Math.floor(Math.min.apply(null, values) * 10) / 10 : 0;
        var hi = values.length ? Math.ceil(Math.max.apply(null, values) * 10) / 10 : (data.target || 1);
        if (hi <= lo) { hi = lo + 0.1; }
        var chart = init("region-map");
        chart.setOption({ baseOption: {
          tooltip: {
            trigger: "item",
            formatter: function (p) {
              var c = byCode[p.name];
              if (!c) { return (labels[p.name] || p.name) + "<br>" + L.noRegion; }
              var rate = c.value === null ? L.notProvided : c.value.toFixed(2);
              return c.name + "<br>" + L.rate + ": " + rate + "<br>" + fmt(c.places) + " / " + fmt(c.population);
            }
          },
          visualMap: {
            type: "continuous", min: lo, max: hi, calculable: false, orient: "horizontal",
            left: "center", bottom: 0, text: [hi.toFixed(1), lo.toFixed(1)], inRange: { color: PALETTE },
            textStyle: { color: INK },
            itemWidth: 12, itemHeight: 120
          },
          series: [{
            type: "map", map: data.map.name, roam: false, selectedMode: false,
            label: {
              // Dark names with a white halo read on the palest and the darkest shade alike (WCAG 1.4.3).
              show: true, fontSize: 10, color: INK, textBorderColor: "#fff", textBorderWidth: 2,
              formatter: function (p) { var c = byCode[p.name]; return c ? c.name : ""; }
            },
            // Where names would overlap (small counties, a phone), the larger region keeps its label.
            labelLayout: { hideOverlap: true },
            emphasis: { label: { show: true }, itemStyle: { areaColor: "#ffd54f" } },
            itemStyle: { borderColor: "#fff", borderWidth: 1, areaColor: "#e6eaf0" },
            data: data.children.map(function (c) { return { name: c.code, value: c.value === null ? "-" : c.value }; })
          }]
        }, media: [
          { query: { maxWidth: 520 }, option: { series: [{ label: { fontSize: 9 } }], visualMap: { itemHeight: 90 } } }
        ] });
        chart.on("click", function (p) {
          var c = byCode[p.name];
          if (c && c.url) { window.location.href = c.url; }
        });
        node.setAttribute("data-ready", "1");
      })
      .catch(function () { node.textContent = ""; node.setAttribute("data-ready", "error"); });
  }

  // Trend series as [date, value] pairs on a time axis, so snapshots are spaced by the time between them.
  function pairs(dates, values) {
    return dates.map(function (d, i) { return [d, values[i]]; });
  }

  // Where the demo's published figures end and its synthetic growth begins: a dashed vertical line.
  function syntheticMark(t) {
    if (!t.syntheticFrom) { return undefined; }
    return {
      symbol: "none", silent: true, lineStyle: { type: "dashed", color: "#888" },
      label: { formatter: L.synthetic, position: "insideEndTop", color: "#555" },
      data: [{ xAxis: t.syntheticFrom }]
    };
  }

  function drawTrends() {
    var t = data.trend;
    if (!t || !t.dates.length) { return; }
    var xAxis = { type: "time", min: t.dates[0], max: t.dates[t.dates.length - 1],
                  axisLabel: { hideOverlap: true } };
    // gridLeft: room for the y axis labels (places run into the thousands, rates do not).
    function trendChart(id, gridLeft, series) {
      var chart = init(id);
      if (!chart) { return; }
      chart.setOption({
        color: SERIES, tooltip: { trigger: "axis" }, legend: { top: 0 },
        grid: { left: gridLeft, right: 16, top: 32, bottom: 28 },
        xAxis: xAxis, yAxis: { type: "value", min: 0 }, series: series
      });
    }
    trendChart("chart-rate", 40, [
      { name: L.rate, type: "line", data: pairs(t.dates, t.rate), symbolSize: 6, markLine: syntheticMark(t) },
      { name: L.target, type: "line", data: pairs(t.dates, t.target), lineStyle: { type: "dashed" }, symbol: "none" }
    ]);
    trendChart("chart-places", 56, [
      { name: L.places, type: "line", data: pairs(t.dates, t.places), symbolSize: 6, markLine: syntheticMark(t) },
      { name: L.enrolled, type: "line", data: pairs(t.dates, t.enrolled), symbolSize: 6 }
    ]);
  }

  function drawRanking() {
    var r = data.ranking;
    if (!r || !r.regions.length) { return; }
    var chart = init("chart-ranking");
    if (!chart) { return; }
    chart.getDom().style.height = Math.max(200, 40 + r.regions.length * 26) + "px";
    chart.resize();
    // The legend stays on one line (paged when the indicators do not fit), so it never runs over the
    // bars; on a phone the axis names shrink to leave the bars their room.
    chart.setOption({ baseOption: {
      color: SERIES, tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
      legend: { type: "scroll", top: 0, left: 0, right: 0 },
      grid: { left: 8, right: 24, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "value", name: L.points, nameGap: 8 }, yAxis: { type: "category", data: r.regions.slice().reverse() },
      series: r.indicators.map(function (ind) {
        return { name: ind.label, type: "bar", stack: "score", data: ind.points.slice().reverse() };
      })
    }, media: [
      { query: { maxWidth: 520 }, option: {
        legend: { itemWidth: 14, itemGap: 6, textStyle: { fontSize: 11 } },
        xAxis: { name: "", axisLabel: { fontSize: 10 } }, yAxis: { axisLabel: { fontSize: 11, width: 72, overflow: "truncate" } }
      } }
    ] });
  }

  drawMap();
  drawTrends();
  drawRanking();
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
})();

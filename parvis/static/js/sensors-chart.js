/* Time series charts with uPlot: progressive enhancement of a series page. The data comes from
   the page itself (a json_script element, no inline script: the CSP forbids them), and the table
   below the chart gives the same values, so the page is complete without this script. */
(function () {
  "use strict";
  if (typeof uPlot === "undefined") { return; }

  var lang = document.documentElement.lang || "fr";
  var HEIGHT = 320;
  var numbers = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  var formats = {
    full: new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }),
    day: new Intl.DateTimeFormat(lang, { day: "numeric", month: "short" }),
    hour: new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit" })
  };

  function axisDates(u, splits, axisIndex, space, increment) {
    var format = increment >= 86400 ? formats.day : formats.hour;
    return splits.map(function (seconds) { return format.format(new Date(seconds * 1000)); });
  }

  function legendValue(u, value) { return value === null || value === undefined ? "—" : numbers.format(value); }

  function draw(element) {
    var source = document.getElementById(element.dataset.seriesChart);
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    if (!data.t.length) { return; }
    element.hidden = false;
    element.setAttribute("role", "img");
    element.setAttribute("aria-label", element.dataset.label);
    var series = [
      {
        label: element.dataset.timeLabel,
        value: function (u, seconds) { return seconds === null ? "—" : formats.full.format(new Date(seconds * 1000)); }
      },
      { label: data.label, stroke: "#1d4f91", width: 2, value: legendValue, points: { show: data.t.length < 200 } }
    ];
    var columns = [data.t, data.v];
    if (data.min) {
      series.push({ label: element.dataset.minLabel, stroke: "#4a4a55", width: 1, dash: [4, 4], value: legendValue });
      series.push({ label: element.dataset.maxLabel, stroke: "#a4161a", width: 1, dash: [4, 4], value: legendValue });
      columns.push(data.min, data.max);
    }
    var options = {
      width: Math.max(element.clientWidth, 280),
      height: HEIGHT,
      series: series,
      scales: { x: { time: true } },
      axes: [
        { values: axisDates },
        { label: data.unit, values: function (u, splits) { return splits.map(function (v) { return numbers.format(v); }); } }
      ]
    };
    var plot = new uPlot(options, columns, element);
    var pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () {
        plot.setSize({ width: Math.max(element.clientWidth, 280), height: HEIGHT });
      }, 150);
    });
  }

  document.querySelectorAll("[data-series-chart]").forEach(draw);
})();

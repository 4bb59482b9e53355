/* Charts of the sales pages (Chart.js): every <canvas data-chart="<id of a JSON script>">
 * is drawn from that JSON: {type, labels, datasets: [{label, data, color, kind}], money,
 * currency, locale, stacked}. Colours come from the shell's CSS variables (named in
 * ``color``: "primary", "success", ...), so dark mode works. Links: a dataset's ``links``
 * (one URL per point) makes its bars clickable (drill-down). */
(function () {
  "use strict";

  function cssColor(name, alpha) {
    const probe = document.createElement("span");
    probe.style.color = "var(--" + name + ")";
    probe.style.display = "none";
    document.body.appendChild(probe);
    const rgb = getComputedStyle(probe).color;
    probe.remove();
    if (alpha === undefined) return rgb;
    const m = rgb.match(/[\d.]+/g);
    return m ? "rgba(" + m[0] + "," + m[1] + "," + m[2] + "," + alpha + ")" : rgb;
  }

  function scales(spec, text, grid, money) {
    const value = { stacked: !!spec.stacked, beginAtZero: true, grid: { color: grid }, ticks: { color: text, callback: function (v) { return money.format(v); } } };
    const category = { stacked: !!spec.stacked, grid: { display: false }, ticks: { color: text } };
    return spec.horizontal ? { x: value, y: category } : { x: category, y: value };
  }

  function draw(canvas) {
    if (canvas.dataset.drawn || !window.Chart) return;
    const source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    canvas.dataset.drawn = "1";
    const spec = JSON.parse(source.textContent);
    const money = spec.money ? new Intl.NumberFormat(spec.locale || undefined, {
      style: "currency", currency: spec.currency || "USD", maximumFractionDigits: 0,
    }) : new Intl.NumberFormat(spec.locale || undefined);
    const text = cssColor("text-2");
    const grid = cssColor("border");
    const datasets = spec.datasets.map(function (set) {
      const solid = cssColor(set.color || "primary");
      return {
        label: set.label,
        data: set.data,
        type: set.kind || undefined,
        backgroundColor: set.kind === "line" ? solid : (set.colors
          ? set.colors.map(function (c) { return cssColor(c, set.alpha || 0.85); })
          : cssColor(set.color || "primary", set.alpha || 0.85)),
        borderColor: solid,
        borderWidth: set.kind === "line" ? 2 : 0,
        borderDash: set.dashed ? [6, 4] : undefined,
        pointRadius: set.kind === "line" ? 0 : undefined,
        borderRadius: 4,
        maxBarThickness: 48,
        links: set.links || null,
      };
    });
    const chart = new window.Chart(canvas, {
      type: spec.type || "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: spec.horizontal ? "y" : "x",
        plugins: {
          legend: { display: datasets.length > 1, position: "bottom", labels: { color: text, boxWidth: 12, boxHeight: 12 } },
          tooltip: { callbacks: { label: function (ctx) { return ctx.dataset.label + ": " + money.format(ctx.parsed[spec.horizontal ? "x" : "y"]); } } },
        },
        scales: scales(spec, text, grid, money),
        onHover: function (event, elements) {
          const link = elements.length && datasets[elements[0].datasetIndex].links;
          event.native.target.style.cursor = link ? "pointer" : "default";
        },
        onClick: function (event, elements) {
          if (!elements.length) return;
          const links = datasets[elements[0].datasetIndex].links;
          if (links && links[elements[0].index]) window.location.href = links[elements[0].index];
        },
      },
    });
    canvas.chart = chart;
  }

  function start() { document.querySelectorAll("canvas[data-chart]").forEach(draw); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  window.addEventListener("load", start);
})();

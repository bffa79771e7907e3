// Small SVG charts drawn by the desk's own code: nothing is loaded from
// outside the desk, so the supervisor page works on a closed network.
// barChart: vertical bars per label, one bar per series side by side, or
// stacked; hbarChart: one horizontal bar per label. Values may be null.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const PALETTE = ["#2657d6", "#1f9d55", "#e07a00", "#c62828", "#7c3aed", "#0891b2"];

function svgEl(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function niceMax(value) {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 2.5, 5, 10].map((m) => m * power).find((m) => m >= value);
}

function legend(svg, series, x, y) {
  series.forEach((s, i) => {
    svg.append(svgEl("rect", { x: x + i * 150, y, width: 10, height: 10, fill: s.color || PALETTE[i] }));
    svg.append(svgEl("text", { x: x + i * 150 + 14, y: y + 9, "font-size": 11 }, s.name));
  });
}

function barChart(container, { labels, series, stacked = false, height = 220, format = String }) {
  const width = Math.max(360, container.clientWidth || 520);
  const pad = { left: 40, right: 10, top: 24, bottom: 36 };
  const svg = svgEl("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img" });
  const sums = labels.map((_, i) => stacked
    ? series.reduce((sum, s) => sum + (s.values[i] || 0), 0)
    : Math.max(0, ...series.map((s) => s.values[i] || 0)));
  const top = niceMax(Math.max(0, ...sums));
  const plotH = height - pad.top - pad.bottom;
  const plotW = width - pad.left - pad.right;
  const y = (v) => pad.top + plotH - (v / top) * plotH;
  for (const tick of [0, top / 2, top]) {
    svg.append(svgEl("line", { x1: pad.left, x2: width - pad.right, y1: y(tick), y2: y(tick), stroke: "#e3e6eb" }));
    svg.append(svgEl("text", { x: pad.left - 4, y: y(tick) + 4, "font-size": 10, "text-anchor": "end", fill: "#6b7280" },
      format(Math.round(tick * 100) / 100)));
  }
  const slot = plotW / Math.max(1, labels.length);
  const every = Math.ceil(labels.length / Math.max(1, Math.floor(plotW / 60)));
  labels.forEach((label, i) => {
    const x0 = pad.left + i * slot;
    let base = 0;
    series.forEach((s, k) => {
      const value = s.values[i] || 0;
      const barW = stacked ? slot * 0.7 : (slot * 0.8) / series.length;
      const x = stacked ? x0 + slot * 0.15 : x0 + slot * 0.1 + k * barW;
      const y0 = stacked ? y(base + value) : y(value);
      const h = stacked ? y(base) - y(base + value) : y(0) - y(value);
      const rect = svgEl("rect", { x, y: y0, width: Math.max(1, barW - 2), height: Math.max(0, h), fill: s.color || PALETTE[k] });
      rect.append(svgEl("title", {}, `${label} · ${s.name}: ${format(value)}`));
      svg.append(rect);
      if (stacked) base += value;
    });
    if (i % every === 0) {
      svg.append(svgEl("text", { x: x0 + slot / 2, y: height - pad.bottom + 14, "font-size": 10, "text-anchor": "middle", fill: "#6b7280" }, label));
    }
  });
  if (series.length > 1) legend(svg, series, pad.left, 4);
  container.replaceChildren(svg);
}

function hbarChart(container, { labels, values, color = PALETTE[0], format = String }) {
  const width = Math.max(360, container.clientWidth || 520);
  const row = 24;
  const height = Math.max(row, labels.length * row) + 8;
  const labelW = Math.min(240, width * 0.45);
  const svg = svgEl("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img" });
  const top = niceMax(Math.max(0, ...values));
  labels.forEach((label, i) => {
    const y = 4 + i * row;
    const w = ((values[i] || 0) / top) * (width - labelW - 50);
    svg.append(svgEl("text", { x: labelW - 6, y: y + 15, "font-size": 11, "text-anchor": "end" }, label));
    svg.append(svgEl("rect", { x: labelW, y: y + 3, width: Math.max(1, w), height: row - 8, fill: color }));
    svg.append(svgEl("text", { x: labelW + w + 4, y: y + 15, "font-size": 11, fill: "#6b7280" }, format(values[i] || 0)));
  });
  container.replaceChildren(svg);
}

// Standalone SVG charts drawn by hand: line charts with axes and ticks, a heatmap and box
// plots. Each is a few shapes and labels; a charting library would need a DOM to do the same.

export const MARGIN = { left: 64, right: 24, top: 40, bottom: 52 };

/** About `count` round tick values (1, 2 or 5 times a power of ten apart) covering [low, high]. */
export function niceTicks(low: number, high: number, count = 5): number[] {
  if (!(high > low)) return [low];
  const rough = (high - low) / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const ticks: number[] = [];
  for (let i = Math.ceil(low / step); i * step <= high + step * 1e-9; i++) {
    // Rounding to the step's decimals keeps 0.30000000000000004 out of the labels.
    ticks.push(Number((i * step).toFixed(Math.max(0, -Math.floor(Math.log10(step))))));
  }
  return ticks;
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}

export interface LineSeries {
  label: string;
  color: string;
  points: [number, number][];
  /** Mark each point (default: only a lone point). */
  markers?: boolean;
  /** Draw as steps (hold y until the next x), as precision-recall curves are. */
  steps?: boolean;
  /** Points only, not joined (a scatter plot). */
  scatter?: boolean;
  dashed?: boolean;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  /** Fixed axis ranges (default: the data's, widened to round ticks). */
  xRange?: [number, number];
  yRange?: [number, number];
  width?: number;
  height?: number;
  /** Legend corner (default top right). */
  legend?: "top-right" | "bottom-right";
}

const f = (v: number) => v.toFixed(1);

export function svgOpen(width: number, height: number, title: string): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
  ];
}

/** Line charts: one polyline per series, labelled axes with round ticks and a legend. */
export function renderLineChart(options: LineChartOptions): string {
  const { title, xLabel, yLabel, series, width = 720, height = 420 } = options;
  const all = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (all.length === 0) throw new Error(`${title}: nothing to plot`);
  const dataX: [number, number] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  const dataY: [number, number] = [Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
  const xTicks = niceTicks(...(options.xRange ?? dataX), 6);
  const yTicks = niceTicks(...(options.yRange ?? dataY), 5);
  // The axes span the data and the outermost ticks, so no tick sits outside the plot.
  const x0 = options.xRange?.[0] ?? Math.min(xTicks[0]!, dataX[0]);
  const x1 = options.xRange?.[1] ?? Math.max(xTicks.at(-1)!, dataX[1], x0 + 1);
  const y0 = options.yRange?.[0] ?? Math.min(yTicks[0]!, dataY[0]);
  const y1 = options.yRange?.[1] ?? Math.max(yTicks.at(-1)!, dataY[1], y0 + 1e-6);
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const plotHeight = height - MARGIN.top - MARGIN.bottom;
  const px = (x: number) => MARGIN.left + ((x - x0) / (x1 - x0)) * plotWidth;
  const py = (y: number) => MARGIN.top + (1 - (y - y0) / (y1 - y0)) * plotHeight;
  const bottom = MARGIN.top + plotHeight;
  const right = MARGIN.left + plotWidth;
  const lines = svgOpen(width, height, title);
  for (const t of yTicks) {
    lines.push(
      `<line x1="${MARGIN.left}" y1="${f(py(t))}" x2="${right}" y2="${f(py(t))}" stroke="#e5e5e5"/>`,
      `<text x="${MARGIN.left - 6}" y="${f(py(t) + 4)}" text-anchor="end">${formatNumber(t)}</text>`,
    );
  }
  for (const t of xTicks) {
    lines.push(
      `<line x1="${f(px(t))}" y1="${bottom}" x2="${f(px(t))}" y2="${bottom + 5}" stroke="black"/>`,
      `<text x="${f(px(t))}" y="${bottom + 18}" text-anchor="middle">${formatNumber(t)}</text>`,
    );
  }
  lines.push(
    `<polyline points="${MARGIN.left},${MARGIN.top} ${MARGIN.left},${bottom} ${right},${bottom}" fill="none" stroke="black"/>`,
    `<text x="${MARGIN.left + plotWidth / 2}" y="${height - 12}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`,
  );
  const legendTop = options.legend === "bottom-right" ? bottom - 10 - series.length * 18 : MARGIN.top;
  series.forEach((s, i) => {
    const points = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    const path: [number, number][] = [];
    points.forEach(([x, y], j) => {
      if (s.steps && j > 0) path.push([x, points[j - 1]![1]]);
      path.push([x, y]);
    });
    const dash = s.dashed ? ' stroke-dasharray="5 4"' : "";
    if (!s.scatter) {
      lines.push(
        `<polyline points="${path.map(([x, y]) => `${f(px(x))},${f(py(y))}`).join(" ")}" fill="none" stroke="${s.color}" stroke-width="1.5"${dash}/>`,
      );
    }
    if (s.markers || s.scatter || points.length === 1) {
      for (const [x, y] of points)
        lines.push(`<circle cx="${f(px(x))}" cy="${f(py(y))}" r="2.5" fill="${s.color}"/>`);
    }
    const ly = legendTop + 14 + i * 18;
    lines.push(
      `<line x1="${right - 210}" y1="${ly - 4}" x2="${right - 186}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${dash}/>`,
      `<text x="${right - 180}" y="${ly}">${escapeXml(s.label)}</text>`,
    );
  });
  lines.push("</svg>");
  return `${lines.join("\n")}\n`;
}

/** A matrix of counts as coloured cells with the count in each (rows: true, columns: predicted). */
export function renderHeatmap(options: {
  title: string;
  rowLabels: readonly string[];
  columnLabels: readonly string[];
  values: readonly (readonly number[])[];
  xLabel: string;
  yLabel: string;
  /** The text in each cell (default: the value as it is). */
  formatValue?: (value: number) => string;
  /** Column labels written upwards, for long labels (default false). */
  verticalColumnLabels?: boolean;
}): string {
  const { title, rowLabels, columnLabels, values } = options;
  const format = options.formatValue ?? String;
  const vertical = options.verticalColumnLabels === true;
  const cell = Math.max(36, Math.min(90, Math.floor(480 / Math.max(rowLabels.length, columnLabels.length))));
  const labelWidth = Math.max(60, 8 * Math.max(...rowLabels.map((l) => l.length)));
  const left = labelWidth + 40;
  const top = vertical ? 50 + 8 * Math.max(...columnLabels.map((l) => l.length)) : 70;
  const width = left + cell * columnLabels.length + 30;
  const height = top + cell * rowLabels.length + 60;
  const lines = svgOpen(width, height, title);
  // Each row is shaded by its share of the row: a per-class recall picture, readable
  // whatever the class sizes.
  values.forEach((row, r) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    row.forEach((v, c) => {
      const share = v / total;
      const light = Math.round(255 - 200 * share);
      const x = left + c * cell;
      const y = top + r * cell;
      lines.push(
        `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="rgb(${light},${light},255)" stroke="white"/>`,
        `<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" text-anchor="middle" fill="${share > 0.6 ? "white" : "black"}">${format(v)}</text>`,
      );
    });
    lines.push(
      `<text x="${left - 6}" y="${top + r * cell + cell / 2 + 4}" text-anchor="end">${escapeXml(rowLabels[r]!)}</text>`,
    );
  });
  columnLabels.forEach((label, c) => {
    const x = left + c * cell + cell / 2;
    lines.push(
      vertical
        ? `<text transform="translate(${x + 4} ${top - 8}) rotate(-90)" text-anchor="start">${escapeXml(label)}</text>`
        : `<text x="${x}" y="${top - 8}" text-anchor="middle">${escapeXml(label)}</text>`,
    );
  });
  lines.push(
    `<text x="${left + (cell * columnLabels.length) / 2}" y="${vertical ? 20 : top - 28}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    `<text transform="translate(16 ${top + (cell * rowLabels.length) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`,
    "</svg>",
  );
  return `${lines.join("\n")}\n`;
}

/** Quartiles by linear interpolation (NumPy's default). */
function quartiles(values: readonly number[]): [number, number, number, number, number] {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => {
    const p = q * (s.length - 1);
    const lo = Math.floor(p);
    return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (p - lo);
  };
  return [s[0]!, at(0.25), at(0.5), at(0.75), s.at(-1)!];
}

/** One box per group: quartiles as the box, median line, whiskers to min and max, every value as a dot. */
export function renderBoxPlot(options: {
  title: string;
  yLabel: string;
  groups: { label: string; values: readonly number[] }[];
  width?: number;
  height?: number;
}): string {
  const { title, yLabel, groups, height = 420 } = options;
  const width = options.width ?? Math.max(360, MARGIN.left + MARGIN.right + 110 * groups.length);
  const all = groups.flatMap((g) => g.values).filter(Number.isFinite);
  if (all.length === 0) throw new Error(`${title}: nothing to plot`);
  let low = Math.min(...all);
  let high = Math.max(...all);
  if (high - low < 1e-9) {
    low -= 0.01;
    high += 0.01;
  }
  const pad = (high - low) * 0.1;
  const ticks = niceTicks(low - pad, high + pad, 5);
  const y0 = Math.min(ticks[0]!, low - pad);
  const y1 = Math.max(ticks.at(-1)!, high + pad);
  const plotHeight = height - MARGIN.top - MARGIN.bottom;
  const py = (y: number) => MARGIN.top + (1 - (y - y0) / (y1 - y0)) * plotHeight;
  const right = width - MARGIN.right;
  const bottom = MARGIN.top + plotHeight;
  const slot = (right - MARGIN.left) / groups.length;
  const lines = svgOpen(width, height, title);
  for (const t of ticks) {
    lines.push(
      `<line x1="${MARGIN.left}" y1="${f(py(t))}" x2="${right}" y2="${f(py(t))}" stroke="#e5e5e5"/>`,
      `<text x="${MARGIN.left - 6}" y="${f(py(t) + 4)}" text-anchor="end">${formatNumber(t)}</text>`,
    );
  }
  groups.forEach((g, i) => {
    const cx = MARGIN.left + slot * (i + 0.5);
    const half = Math.min(30, slot / 3);
    const [min, q1, median, q3, max] = quartiles(g.values);
    lines.push(
      `<line x1="${f(cx)}" y1="${f(py(min))}" x2="${f(cx)}" y2="${f(py(max))}" stroke="black"/>`,
      `<line x1="${f(cx - half / 2)}" y1="${f(py(min))}" x2="${f(cx + half / 2)}" y2="${f(py(min))}" stroke="black"/>`,
      `<line x1="${f(cx - half / 2)}" y1="${f(py(max))}" x2="${f(cx + half / 2)}" y2="${f(py(max))}" stroke="black"/>`,
      `<rect x="${f(cx - half)}" y="${f(py(q3))}" width="${f(2 * half)}" height="${f(Math.max(1, py(q1) - py(q3)))}" fill="#c6dbef" stroke="#1f77b4"/>`,
      `<line x1="${f(cx - half)}" y1="${f(py(median))}" x2="${f(cx + half)}" y2="${f(py(median))}" stroke="#d62728" stroke-width="2"/>`,
      `<text x="${f(cx)}" y="${bottom + 18}" text-anchor="middle">${escapeXml(g.label)}</text>`,
    );
    for (const v of g.values)
      lines.push(`<circle cx="${f(cx + half + 8)}" cy="${f(py(v))}" r="2.5" fill="#1f77b4"/>`);
  });
  lines.push(
    `<polyline points="${MARGIN.left},${MARGIN.top} ${MARGIN.left},${bottom} ${right},${bottom}" fill="none" stroke="black"/>`,
    `<text transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`,
    "</svg>",
  );
  return `${lines.join("\n")}\n`;
}

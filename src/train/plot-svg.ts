// A training curve as a standalone SVG: training loss per step and validation loss per
// evaluation against the iteration, with labelled axes. Drawn by hand because it is two
// polylines and some ticks; a charting library would need a DOM to do the same.
import { escapeXml, formatNumber, MARGIN, niceTicks } from "../plot/svg-chart.js";
import type { TrainingLogRecord } from "./training-log.js";

export { niceTicks };

export interface LossCurveOptions {
  title?: string;
  width?: number;
  height?: number;
}

interface Series {
  label: string;
  color: string;
  markers: boolean;
  points: [number, number][];
}

/** The finite points of each series drawn from a log's step and eval records. */
function seriesFromLog(records: readonly TrainingLogRecord[]): Series[] {
  const finite = (p: [number, number]) => Number.isFinite(p[0]) && Number.isFinite(p[1]);
  const train: [number, number][] = [];
  const validation: [number, number][] = [];
  for (const record of records) {
    if (record.type === "step") train.push([record.iter, record.loss]);
    if (record.type === "eval") validation.push([record.iter, record.valLoss]);
  }
  return [
    { label: "training loss (per step)", color: "#1f77b4", markers: false, points: train.filter(finite) },
    { label: "validation loss", color: "#d62728", markers: true, points: validation.filter(finite) },
  ].filter((s) => s.points.length > 0);
}

/** Renders the loss curves of a training log as an SVG document. */
export function renderLossCurveSvg(
  records: readonly TrainingLogRecord[],
  options: LossCurveOptions = {},
): string {
  const { title = "Training curve", width = 720, height = 420 } = options;
  const series = seriesFromLog(records);
  if (series.length === 0) throw new Error("the training log has no finite losses to plot");
  const all = series.flatMap((s) => s.points);
  const xTicks = niceTicks(Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0])), 6);
  const yTicks = niceTicks(Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1])), 5);
  // The axes span the data and the outermost ticks, so no tick sits outside the plot.
  const x0 = Math.min(xTicks[0]!, ...all.map((p) => p[0]));
  const x1 = Math.max(xTicks.at(-1)!, ...all.map((p) => p[0]), x0 + 1);
  const y0 = Math.min(yTicks[0]!, ...all.map((p) => p[1]));
  const y1 = Math.max(yTicks.at(-1)!, ...all.map((p) => p[1]), y0 + 1e-6);
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const plotHeight = height - MARGIN.top - MARGIN.bottom;
  const px = (x: number) => MARGIN.left + ((x - x0) / (x1 - x0)) * plotWidth;
  const py = (y: number) => MARGIN.top + (1 - (y - y0) / (y1 - y0)) * plotHeight;
  const f = (v: number) => v.toFixed(1);
  const bottom = MARGIN.top + plotHeight;
  const right = MARGIN.left + plotWidth;

  const lines: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
  ];
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
    `<text x="${MARGIN.left + plotWidth / 2}" y="${height - 12}" text-anchor="middle">iteration</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">loss (nats per token)</text>`,
  );
  series.forEach((s, i) => {
    const points = s.points.map(([x, y]) => `${f(px(x))},${f(py(y))}`).join(" ");
    lines.push(`<polyline points="${points}" fill="none" stroke="${s.color}" stroke-width="1.5"/>`);
    // Evaluations are few and each one is a measurement: mark them (a lone one would not
    // show at all as a polyline).
    if (s.markers || s.points.length === 1) {
      for (const [x, y] of s.points) {
        lines.push(`<circle cx="${f(px(x))}" cy="${f(py(y))}" r="2.5" fill="${s.color}"/>`);
      }
    }
    const ly = MARGIN.top + 14 + i * 18;
    lines.push(
      `<line x1="${right - 190}" y1="${ly - 4}" x2="${right - 166}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"/>`,
      `<text x="${right - 160}" y="${ly}">${escapeXml(s.label)}</text>`,
    );
  });
  lines.push("</svg>");
  return `${lines.join("\n")}\n`;
}

// A sweep as a standalone SVG: every result in the order it came (one colour per rung, so
// a halving search's short runs are told apart from full ones), and the best objective so
// far among the full-length runs as a step line. Axes and ticks as in the loss curves.
import { niceTicks } from "../train/plot-svg.js";
import type { Objective } from "./objective.js";
import type { ResultRecord } from "./results-log.js";

const MARGIN = { left: 72, right: 24, top: 60, bottom: 52 };
const COLORS = ["#bdbdbd", "#74a9cf", "#0570b0", "#023858", "#000000"];

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function label(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}

export interface SweepPlotOptions {
  title?: string;
  width?: number;
  height?: number;
}

export function renderSweepSvg(
  records: readonly ResultRecord[],
  objective: Objective,
  maxIterations: number,
  options: SweepPlotOptions = {},
): string {
  const { title = "Sweep", width = 720, height = 420 } = options;
  const points = records
    .map((r, i) => ({ x: i + 1, y: r.objective, rung: r.rung, full: r.iterations >= maxIterations }))
    .filter(
      (p): p is { x: number; y: number; rung: number; full: boolean } => p.y !== null && Number.isFinite(p.y),
    );
  if (points.length === 0) throw new Error("the sweep has no results to plot yet");
  const best: [number, number][] = [];
  for (const p of points) {
    if (!p.full) continue;
    const previous = best.at(-1)?.[1];
    const better = previous === undefined || (objective.mode === "min" ? p.y < previous : p.y > previous);
    best.push([p.x, better ? p.y : previous]);
  }
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const xTicks = niceTicks(1, Math.max(...xs), 6).filter((t) => Number.isInteger(t));
  const yTicks = niceTicks(Math.min(...ys), Math.max(...ys), 5);
  const x0 = 0;
  const x1 = Math.max(...xs, xTicks.at(-1) ?? 1) + 1;
  // A little room above and below, so no point sits on the frame.
  const pad = (Math.max(...ys) - Math.min(...ys)) * 0.05 || 0.05;
  const y0 = Math.min(yTicks[0] ?? 0, Math.min(...ys) - pad);
  const y1 = Math.max(yTicks.at(-1) ?? 1, Math.max(...ys) + pad, y0 + 1e-6);
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const plotHeight = height - MARGIN.top - MARGIN.bottom;
  const px = (x: number) => (MARGIN.left + ((x - x0) / (x1 - x0)) * plotWidth).toFixed(1);
  const py = (y: number) => (MARGIN.top + (1 - (y - y0) / (y1 - y0)) * plotHeight).toFixed(1);
  const bottom = MARGIN.top + plotHeight;
  const right = MARGIN.left + plotWidth;
  const lines = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
  ];
  for (const t of yTicks) {
    lines.push(
      `<line x1="${MARGIN.left}" y1="${py(t)}" x2="${right}" y2="${py(t)}" stroke="#e5e5e5"/>`,
      `<text x="${MARGIN.left - 6}" y="${(Number(py(t)) + 4).toFixed(1)}" text-anchor="end">${label(t)}</text>`,
    );
  }
  for (const t of xTicks) {
    lines.push(
      `<line x1="${px(t)}" y1="${bottom}" x2="${px(t)}" y2="${bottom + 5}" stroke="black"/>`,
      `<text x="${px(t)}" y="${bottom + 18}" text-anchor="middle">${t}</text>`,
    );
  }
  lines.push(
    `<polyline points="${MARGIN.left},${MARGIN.top} ${MARGIN.left},${bottom} ${right},${bottom}" fill="none" stroke="black"/>`,
    `<text x="${MARGIN.left + plotWidth / 2}" y="${height - 12}" text-anchor="middle">result (in the order trials reported)</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(`${objective.metric} (${objective.mode === "min" ? "lower" : "higher"} is better)`)}</text>`,
  );
  if (best.length > 0) {
    // A step line: the best holds until a better result arrives.
    const steps = best.flatMap(([x, y], i) =>
      i === 0
        ? [[x, y]]
        : [
            [x, best[i - 1]![1]],
            [x, y],
          ],
    );
    steps.push([x1 - 0.5, best.at(-1)![1]]);
    lines.push(
      `<polyline points="${steps.map(([x, y]) => `${px(x!)},${py(y!)}`).join(" ")}" fill="none" stroke="#d62728" stroke-width="2"/>`,
    );
  }
  const rungs = [...new Set(points.map((p) => p.rung))].sort((a, b) => a - b);
  for (const p of points) {
    const color = COLORS[Math.min(p.rung, COLORS.length - 1)]!;
    lines.push(
      `<circle cx="${px(p.x)}" cy="${py(p.y)}" r="3.5" fill="${color}" stroke="#333" stroke-width="0.5"/>`,
    );
  }
  const legend: [string, string][] = [
    ...rungs.map((r): [string, string] => [
      COLORS[Math.min(r, COLORS.length - 1)]!,
      rungs.length > 1 ? `rung ${r}` : "trial",
    ]),
    ...(best.length > 0 ? [["#d62728", "best so far (full runs)"] as [string, string]] : []),
  ];
  // The legend is one row above the plot, right-aligned, where it hides no point.
  let lx = right;
  for (const [color, text] of [...legend].reverse()) {
    lx -= text.length * 6.5 + 34;
    lines.push(
      `<line x1="${lx.toFixed(1)}" y1="${MARGIN.top - 16}" x2="${(lx + 22).toFixed(1)}" y2="${MARGIN.top - 16}" stroke="${color}" stroke-width="3"/>`,
      `<text x="${(lx + 27).toFixed(1)}" y="${MARGIN.top - 12}">${escapeXml(text)}</text>`,
    );
  }
  lines.push("</svg>");
  return `${lines.join("\n")}\n`;
}

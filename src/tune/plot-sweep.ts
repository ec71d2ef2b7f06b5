// A sweep as a standalone SVG: every result in the order it came (one colour per rung, so
// a halving search's short runs are told apart from full ones), and the best objective so
// far among the full-length runs as a step line.
import { type LineSeries, MARGIN, renderLineChart } from "../plot/svg-chart.js";
import type { Objective } from "./objective.js";
import type { ResultRecord } from "./results-log.js";

const RUNG_COLORS = ["#969696", "#74a9cf", "#0570b0", "#023858", "#000000"];
const HEIGHT = 420;

export interface SweepPlotOptions {
  title?: string;
}

export function renderSweepSvg(
  records: readonly ResultRecord[],
  objective: Objective,
  maxIterations: number,
  options: SweepPlotOptions = {},
): string {
  const points = records
    .map((r, i) => ({
      x: i + 1,
      y: r.objective ?? Number.NaN,
      rung: r.rung,
      full: r.iterations >= maxIterations,
    }))
    .filter((p) => Number.isFinite(p.y));
  if (points.length === 0) throw new Error("the sweep has no results to plot yet");
  const rungs = [...new Set(points.map((p) => p.rung))].sort((a, b) => a - b);
  const series: LineSeries[] = rungs.map((rung) => ({
    label: rungs.length > 1 ? `rung ${rung}` : "trial",
    color: RUNG_COLORS[Math.min(rung, RUNG_COLORS.length - 1)]!,
    scatter: true,
    points: points.filter((p) => p.rung === rung).map((p) => [p.x, p.y]),
  }));
  const best: [number, number][] = [];
  for (const p of points) {
    if (!p.full) continue;
    const previous = best.at(-1)?.[1];
    const better = previous === undefined || (objective.mode === "min" ? p.y < previous : p.y > previous);
    best.push([p.x, better ? p.y : previous]);
  }
  if (best.length > 0) {
    best.push([points.at(-1)!.x + 0.5, best.at(-1)![1]]);
    series.push({ label: "best so far (full runs)", color: "#d62728", steps: true, points: best });
  }
  // Room at the top for the legend, so it hides no point.
  const ys = points.map((p) => p.y);
  const [low, high] = [Math.min(...ys), Math.max(...ys)];
  const span = high - low || 0.1;
  const legendShare = (14 + series.length * 18) / (HEIGHT - MARGIN.top - MARGIN.bottom);
  return renderLineChart({
    title: options.title ?? "Sweep",
    xLabel: "result (in the order trials reported)",
    yLabel: `${objective.metric} (${objective.mode === "min" ? "lower" : "higher"} is better)`,
    series,
    xRange: [0, points.at(-1)!.x + 1],
    yRange: [low - 0.05 * span, high + (span * legendShare) / (1 - legendShare)],
    height: HEIGHT,
  });
}

// A training curve as a standalone SVG: training loss per step and validation loss per
// evaluation against the iteration, drawn as a line chart of src/plot.
import { type LineSeries, renderLineChart } from "../plot/svg-chart.js";
import type { TrainingLogRecord } from "./training-log.js";

export interface LossCurveOptions {
  title?: string;
  width?: number;
  height?: number;
}

/** The finite points of each series drawn from a log's step and eval records. */
function seriesFromLog(records: readonly TrainingLogRecord[]): LineSeries[] {
  const finite = (p: [number, number]) => Number.isFinite(p[0]) && Number.isFinite(p[1]);
  const train: [number, number][] = [];
  const validation: [number, number][] = [];
  for (const record of records) {
    if (record.type === "step") train.push([record.iter, record.loss]);
    if (record.type === "eval") validation.push([record.iter, record.valLoss]);
  }
  // Evaluations are few and each one is a measurement: they are marked.
  return [
    { label: "training loss (per step)", color: "#1f77b4", points: train.filter(finite) },
    { label: "validation loss", color: "#d62728", markers: true, points: validation.filter(finite) },
  ].filter((s) => s.points.length > 0);
}

/** Renders the loss curves of a training log as an SVG document. */
export function renderLossCurveSvg(
  records: readonly TrainingLogRecord[],
  options: LossCurveOptions = {},
): string {
  const series = seriesFromLog(records);
  if (series.length === 0) throw new Error("the training log has no finite losses to plot");
  return renderLineChart({
    title: options.title ?? "Training curve",
    xLabel: "iteration",
    yLabel: "loss (nats per token)",
    series,
    ...(options.width ? { width: options.width } : {}),
    ...(options.height ? { height: options.height } : {}),
  });
}

// What a sweep optimises: one metric of a trial's evaluations, to minimise or maximise. A
// language-model run reports trainLoss and valLoss, a classifier accuracy, f1, auc, logLoss
// and more; `registerMetric` tells sweeps which way a new metric is better, so a config
// can name it without saying so.

import type { Evaluation } from "../jobs/training-runs.js";
import { ConfigError, describe, isPlainObject } from "./config-error.js";

export type Direction = "min" | "max";

export interface Objective {
  metric: string;
  mode: Direction;
}

const KNOWN_METRICS = new Map<string, Direction>([
  // Language-model runs.
  ["valLoss", "min"],
  ["trainLoss", "min"],
  // Classifier runs, on the held-out fifth.
  ["accuracy", "max"],
  ["precision", "max"],
  ["recall", "max"],
  ["f1", "max"],
  ["macroF1", "max"],
  ["auc", "max"],
  ["logLoss", "min"],
]);

/** Makes `metric` known to sweeps, better when smaller ("min") or larger ("max"). */
export function registerMetric(metric: string, mode: Direction): void {
  KNOWN_METRICS.set(metric, mode);
}

export const DEFAULT_OBJECTIVE: Objective = { metric: "valLoss", mode: "min" };

export function parseObjective(value: unknown, path = "objective"): Objective {
  if (value === undefined) return DEFAULT_OBJECTIVE;
  if (typeof value === "string") return parseObjective({ metric: value }, path);
  if (!isPlainObject(value))
    throw new ConfigError(path, `must be a metric name or { "metric", "mode" }, got ${describe(value)}`);
  for (const key of Object.keys(value)) {
    if (key !== "metric" && key !== "mode")
      throw new ConfigError(`${path}.${key}`, "is not a field (fields: metric, mode)");
  }
  const { metric, mode } = value;
  if (typeof metric !== "string" || metric === "")
    throw new ConfigError(`${path}.metric`, `must name a metric, got ${describe(metric)}`);
  if (mode !== undefined && mode !== "min" && mode !== "max") {
    throw new ConfigError(`${path}.mode`, `must be "min" or "max", got ${describe(mode)}`);
  }
  const known = KNOWN_METRICS.get(metric);
  if (mode === undefined && known === undefined) {
    throw new ConfigError(
      `${path}.mode`,
      `must say whether ${metric} is better smaller ("min") or larger ("max"); known metrics: ${[...KNOWN_METRICS.keys()].join(", ")}`,
    );
  }
  return { metric, mode: (mode as Direction | undefined) ?? known! };
}

/** The objective's value in an evaluation; an evaluation without the metric is an error naming those it has. */
export function objectiveValue(objective: Objective, evaluation: Evaluation): number {
  const value = evaluation[objective.metric];
  if (typeof value !== "number") {
    const has = Object.keys(evaluation).filter((k) => k !== "iter");
    throw new Error(`the evaluations have no metric "${objective.metric}" (they have: ${has.join(", ")})`);
  }
  return value;
}

/** Whether `a` is strictly better than `b` (a value that is not finite is never better). */
export function isBetter(objective: Objective, a: number, b: number | undefined): boolean {
  if (!Number.isFinite(a)) return false;
  if (b === undefined || !Number.isFinite(b)) return true;
  return objective.mode === "min" ? a < b : a > b;
}

/** Sorts values best first, values that are not finite last. */
export function compareValues(objective: Objective, a: number, b: number): number {
  const fa = Number.isFinite(a);
  const fb = Number.isFinite(b);
  if (!fa || !fb) return fa === fb ? 0 : fa ? -1 : 1;
  return objective.mode === "min" ? a - b : b - a;
}

// What a sweep found, trial by trial: each trial's furthest result, best first, and how
// much training the sweep cost in all (segments continue from checkpoints, so a trial
// costs the iterations it reached).
import type { Objective } from "./objective.js";
import { compareValues } from "./objective.js";
import type { ResultRecord } from "./results-log.js";
import type { Params } from "./search-space.js";

export interface TrialSummary {
  trial: number;
  params: Params;
  /** The iteration the trial reached. */
  iterations: number;
  /** The objective there (null: failed). */
  objective: number | null;
  /** completed: trained to the end; stopped: not promoted past `iterations`; failed. */
  status: "completed" | "stopped" | "failed";
  error?: string;
}

export interface SweepSummary {
  trials: TrialSummary[];
  best?: TrialSummary;
  /** Iterations trained over all trials. */
  iterations: number;
}

/** Each trial's furthest result, best first (among trials that trained to the end, then the others). */
export function summarizeSweep(
  records: readonly ResultRecord[],
  objective: Objective,
  maxIterations: number,
): SweepSummary {
  const furthest = new Map<number, ResultRecord>();
  for (const record of records) {
    const seen = furthest.get(record.trial);
    if (!seen || record.rung > seen.rung) furthest.set(record.trial, record);
  }
  const trials: TrialSummary[] = [...furthest.values()].map((r) => ({
    trial: r.trial,
    params: r.params,
    iterations: r.iterations,
    objective: r.objective,
    status: r.status === "failed" ? "failed" : r.iterations >= maxIterations ? "completed" : "stopped",
    ...(r.error === undefined ? {} : { error: r.error }),
  }));
  const value = (t: TrialSummary) => t.objective ?? Number.NaN;
  trials.sort(
    (a, b) =>
      Number(b.iterations >= maxIterations) - Number(a.iterations >= maxIterations) ||
      compareValues(objective, value(a), value(b)) ||
      a.trial - b.trial,
  );
  const best = trials.find((t) => t.status === "completed") ?? trials.find((t) => t.objective !== null);
  return {
    trials,
    ...(best ? { best } : {}),
    // A cross-validated trial trains one run per fold.
    iterations: [...furthest.values()].reduce((sum, r) => sum + r.iterations * (r.folds?.length ?? 1), 0),
  };
}

/** A value as the table prints it: numbers with 4 significant digits. */
export function formatValue(value: unknown): string {
  if (typeof value === "number")
    return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
  return String(value);
}

/** The summary as a table: a header and one row per trial (the first `limit`). */
export function summaryTable(
  summary: SweepSummary,
  metric: string,
  limit = 20,
): { header: string[]; rows: string[][] } {
  const names = [...new Set(summary.trials.flatMap((t) => Object.keys(t.params)))];
  const header = ["rank", "trial", ...names, "iterations", metric, "status"];
  const rows = summary.trials
    .slice(0, limit)
    .map((t, i) => [
      String(i + 1),
      String(t.trial),
      ...names.map((n) => (n in t.params ? formatValue(t.params[n]) : "")),
      String(t.iterations),
      t.objective === null ? "—" : t.objective.toFixed(4),
      t.status === "failed" ? `failed: ${t.error ?? ""}` : t.status,
    ]);
  return { header, rows };
}

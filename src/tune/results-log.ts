// A sweep's results file, results.jsonl: one line per segment that ended, appended as it
// ends, so it can be followed with `tail -f` and nothing finished is lost when the sweep
// stops. It is also the sweep's memory: replaying it rebuilds the search's state when the
// sweep is resumed. Each (trial, rung) is written once.
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { writeFileAtomicSync } from "../formats/atomic-write.js";
import type { Evaluation } from "../jobs/training-runs.js";
import type { Params } from "./search-space.js";

export interface ResultRecord {
  trial: number;
  rung: number;
  /** The iteration the trial reached. */
  iterations: number;
  params: Params;
  /** The objective at `iterations`; null when the trial failed. */
  objective: number | null;
  status: "completed" | "failed";
  error?: string;
  /** With cross-validation: each fold's objective (`objective` is their mean). */
  folds?: (number | null)[];
  /** The run's evaluations up to `iterations`. */
  evaluations: Evaluation[];
  /** Wall time of this segment, including starting its process. */
  seconds: number;
  /** host:pid of the process that ran it. */
  worker: string;
  finishedAt: string;
}

export const RESULTS_FILE = "results.jsonl";

/**
 * Reads a results file. A last line without its newline is what a killed process leaves
 * and is skipped (its segment runs again); any other bad line is an error.
 */
export function readResults(path: string): ResultRecord[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, "utf8").split("\n");
  const torn = lines.pop();
  const records: ResultRecord[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    let record: ResultRecord;
    try {
      record = JSON.parse(line) as ResultRecord;
    } catch {
      throw new Error(`${path}: line ${i + 1} is not valid JSON`);
    }
    if (!Number.isInteger(record.trial) || !Number.isInteger(record.rung)) {
      throw new Error(`${path}: line ${i + 1} is not a sweep result`);
    }
    records.push(record);
  });
  if (torn !== undefined && torn.trim() !== "") {
    try {
      records.push(JSON.parse(torn) as ResultRecord);
    } catch {}
  }
  return records;
}

export class ResultsLog {
  private readonly seen = new Set<string>();

  constructor(
    readonly path: string,
    existing: readonly ResultRecord[] = [],
  ) {
    for (const record of existing) this.seen.add(`${record.trial}/${record.rung}`);
    // A last line without its newline is completed if whole, dropped if torn, so the next
    // append starts a line of its own.
    if (existsSync(path)) {
      const text = readFileSync(path, "utf8");
      if (text !== "" && !text.endsWith("\n")) {
        const start = text.lastIndexOf("\n") + 1;
        let whole = true;
        try {
          JSON.parse(text.slice(start));
        } catch {
          whole = false;
        }
        if (whole) appendFileSync(path, "\n");
        else writeFileAtomicSync(path, text.slice(0, start));
      }
    }
  }

  /** Appends `record` unless its (trial, rung) is already there; says whether it did. */
  append(record: ResultRecord): boolean {
    const key = `${record.trial}/${record.rung}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    appendFileSync(this.path, `${JSON.stringify(record)}\n`);
    return true;
  }
}

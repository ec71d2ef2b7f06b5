// The JSON-lines log of a training run: one object per line, appended as training goes, so
// a run can be followed with `tail -f` and plotted afterwards (`infiniset plot`).
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { writeFileAtomicSync } from "../formats/atomic-write.js";

/** One optimizer step: the training loss of its batch (before the update). */
export interface StepRecord {
  type: "step";
  /** Steps completed, counting this one (1 for the first). */
  iter: number;
  loss: number;
  /** The learning rate this step used. */
  lr?: number;
  tokensPerSec: number;
  elapsedMs: number;
}

/** An evaluation: mean losses over random batches of each split, in eval mode. */
export interface EvalRecord {
  type: "eval";
  iter: number;
  trainLoss: number;
  valLoss: number;
  tokensPerSec: number;
  elapsedMs: number;
}

/** Why training ended early: early stopping, or a loss that is not finite. */
export interface StopRecord {
  type: "stop";
  iter: number;
  reason: string;
}

export type TrainingLogRecord = StepRecord | EvalRecord | StopRecord;

/** Appends records to a JSON-lines file, one write per line. */
export class TrainingLogWriter {
  constructor(readonly path: string) {}

  append(record: TrainingLogRecord): void {
    appendFileSync(this.path, `${JSON.stringify(record)}\n`);
  }

  /**
   * Drops the records after iteration `iter`, and every stop record: a resumed run logs
   * those iterations again and goes on past where it stopped, and the log should read as
   * if the run had never stopped.
   */
  truncateAfter(iter: number): void {
    if (!existsSync(this.path)) return;
    const kept = readTrainingLog(this.path).filter((record) => record.iter <= iter && record.type !== "stop");
    writeFileAtomicSync(this.path, kept.map((record) => `${JSON.stringify(record)}\n`).join(""));
  }
}

function isRecord(value: unknown): value is TrainingLogRecord {
  if (value === null || typeof value !== "object") return false;
  const record = value as Record<string, unknown>;
  const finiteOrNull = (key: string) => typeof record[key] === "number" || record[key] === null;
  if (!Number.isInteger(record.iter)) return false;
  if (record.type === "step") return finiteOrNull("loss");
  if (record.type === "eval") return finiteOrNull("trainLoss") && finiteOrNull("valLoss");
  return record.type === "stop" && typeof record.reason === "string";
}

/**
 * Reads a log written by {@link TrainingLogWriter}. A last line without its newline is
 * what a killed run leaves behind and is skipped; any other bad line is an error.
 */
export function readTrainingLog(path: string): TrainingLogRecord[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new Error(`Training log not found: ${path}`);
    throw new Error(`Could not read training log ${path}: ${(error as Error).message}`);
  }
  const lines = text.split("\n");
  const torn = lines.pop() ?? "";
  const records: TrainingLogRecord[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`${path}: line ${index + 1} is not valid JSON`);
    }
    if (!isRecord(value)) throw new Error(`${path}: line ${index + 1} is not a training log record`);
    records.push(value);
  });
  if (torn.trim() !== "") {
    // Not newline-terminated: complete only if it parses; otherwise a torn write.
    try {
      const value: unknown = JSON.parse(torn);
      if (isRecord(value)) records.push(value);
    } catch {}
  }
  return records;
}

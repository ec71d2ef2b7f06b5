// A batch over a corpus: the items are cut into jobs of `perJob` items, the jobs run on an
// executor (local processes or a queue's workers), and each item's result is appended to
// the output file as its job ends — so a stopped batch resumes with the jobs whose items
// are not all there yet. At the end the file is rewritten in input order. A job's id is a
// hash of what it computes, so on a queue a job already done (by an earlier session, or
// another user of the same Redis) is collected rather than run again.
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { writeFileAtomicSync } from "../formats/atomic-write.js";
import type { Executor } from "../jobs/executors/executor.js";
import type { EvalTextsJob, GenerateTextsJob, ItemResult, JobProgress } from "../jobs/job.js";
import type { BatchItem } from "./batch-input.js";

export type BatchTask =
  | { kind: "eval"; checkpoint: string }
  | {
      kind: "generate";
      checkpoint: string;
      maxTokens: number;
      temperature: number;
      topK?: number;
      topP?: number;
      seed: number;
    };

export interface BatchOptions {
  task: BatchTask;
  items: BatchItem[];
  /** The JSON-lines file of results, one per item. */
  out: string;
  executor: Executor;
  /** Items per job. Default: enough for about four jobs per slot, at most 64. */
  perJob?: number;
  /** Keep the results already in `out` and do only the missing items. */
  resume?: boolean;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface BatchRun {
  results: ItemResult[];
  /** Items done in earlier sessions. */
  resumed: number;
  jobs: number;
  seconds: number;
  stopped: boolean;
}

function readDone(out: string): Map<number, ItemResult> {
  const done = new Map<number, ItemResult>();
  if (!existsSync(out)) return done;
  for (const line of readFileSync(out, "utf8").split("\n")) {
    try {
      const result = JSON.parse(line) as ItemResult;
      if (Number.isInteger(result.index)) done.set(result.index, result);
    } catch {
      // A torn last line: that item is done again.
    }
  }
  return done;
}

export async function runBatch(options: BatchOptions): Promise<BatchRun> {
  const { task, items, out, executor } = options;
  const started = performance.now();
  if (!options.resume && existsSync(out))
    throw new Error(`${out} exists; pass --resume to complete it, or choose another --out`);
  const done = options.resume ? readDone(out) : new Map<number, ItemResult>();
  const resumed = done.size;
  writeFileAtomicSync(out, [...done.values()].map((r) => `${JSON.stringify(r)}\n`).join(""));
  const todo = items.filter((item) => !done.has(item.index));
  const slots = Math.max(1, await executor.capacity());
  const perJob = options.perJob ?? Math.min(64, Math.max(1, Math.ceil(todo.length / (4 * slots))));
  const chunks: BatchItem[][] = [];
  for (let i = 0; i < todo.length; i += perJob) chunks.push(todo.slice(i, i + perJob));
  const bySource = new Map(items.map((item) => [item.index, item.source]));

  let finished = done.size;
  const progress = () => options.onProgress?.(finished, items.length);
  progress();
  const stop = () => void executor.close();
  options.signal?.addEventListener("abort", stop);
  const runs = chunks.map(async (chunk) => {
    const job: EvalTextsJob | GenerateTextsJob = {
      ...task,
      items: chunk.map(({ index, text }) => ({ index, text })),
    };
    const id = `batch-${task.kind}-${createHash("sha256").update(JSON.stringify(job)).digest("hex").slice(0, 20)}`;
    let inJob = 0;
    const result = await executor.run(id, job, (p: JobProgress) => {
      if ("done" in p) {
        finished += p.done - inJob;
        inJob = p.done;
        progress();
      }
    });
    if (result.status === "failed") throw new Error(result.error ?? "a batch job failed");
    const lines = (result.items ?? []).map((r) => ({ ...r, source: bySource.get(r.index) }));
    appendFileSync(out, lines.map((r) => `${JSON.stringify(r)}\n`).join(""));
    for (const r of lines) done.set(r.index, r);
    finished += chunk.length - inJob;
    progress();
  });
  const settled = await Promise.allSettled(runs);
  options.signal?.removeEventListener("abort", stop);
  const stopped = options.signal?.aborted === true;
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failure && !stopped) throw failure.reason;
  const results = items.flatMap((item) => (done.has(item.index) ? [done.get(item.index)!] : []));
  if (!stopped) writeFileAtomicSync(out, results.map((r) => `${JSON.stringify(r)}\n`).join(""));
  return { results, resumed, jobs: chunks.length, seconds: (performance.now() - started) / 1000, stopped };
}

/** Over every scored item: tokens, and the token-weighted mean loss and its perplexity. */
export function scoreSummary(results: readonly ItemResult[]): {
  items: number;
  failed: number;
  tokens: number;
  loss: number;
  perplexity: number;
} {
  let tokens = 0;
  let total = 0;
  let failed = 0;
  for (const r of results) {
    if (typeof r.loss !== "number" || typeof r.tokens !== "number") {
      failed++;
      continue;
    }
    // A text of n tokens has n - 1 predicted ones.
    tokens += r.tokens;
    total += r.loss * (r.tokens - 1);
  }
  const predicted = tokens - (results.length - failed);
  const loss = predicted > 0 ? total / predicted : Number.NaN;
  return { items: results.length, failed, tokens, loss, perplexity: Math.exp(loss) };
}

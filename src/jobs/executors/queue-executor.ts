// Jobs through a BullMQ queue in Redis, run by `infiniset worker` processes on any number of
// machines. Each job is added under an id that names it for good, so resubmitting it after
// a restart of this process finds the job, running or done, instead of adding another;
// BullMQ keeps finished jobs' results, so a restarted coordinator collects what finished
// while it was away. A worker that dies holding a job loses its lock and BullMQ's stalled
// check hands the job to another; a result is stored once, by whichever attempt finishes
// while holding the lock. Completions arrive as events; a poll every few seconds is the
// safety net for events missed while Redis was restarting.
import type { Job as BullJob, ConnectionOptions, Queue, QueueEvents } from "bullmq";
import type { Job, JobProgress, JobResult } from "../job.js";
import { type Executor, ExecutorClosedError } from "./executor.js";
import { DEFAULT_QUEUE_NAME, slotsOf, throttledWarnings } from "./queue-names.js";
import { checkRedis, redisOptions, safeUrl } from "./redis-connection.js";

export interface QueueExecutorOptions {
  url: string;
  queueName?: string;
  /** Tries per job when a worker process fails (not when the job fails in itself). Default 5. */
  attempts?: number;
  /** Told about connection trouble (throttled). */
  warn?: (message: string) => void;
  /** How often pending jobs are polled, in ms. Default 2000. */
  pollMs?: number;
}

interface Pending {
  resolve(result: JobResult): void;
  reject(error: Error): void;
  onProgress?: (progress: JobProgress) => void;
}

/** Finished jobs' results stay in Redis this long, for a coordinator restarted meanwhile. */
const KEEP_FINISHED_SECONDS = 7 * 24 * 3600;

function parseResult(value: unknown): JobResult {
  return (typeof value === "string" ? JSON.parse(value) : value) as JobResult;
}

export class QueueExecutor implements Executor {
  readonly description: string;
  private readonly pending = new Map<string, Pending>();
  private readonly poller: NodeJS.Timeout;
  private closed = false;

  private constructor(
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly options: QueueExecutorOptions,
  ) {
    this.description = `the queue "${queue.name}" at ${safeUrl(options.url)}`;
    events.on("completed", ({ jobId, returnvalue }) => this.settle(jobId, () => parseResult(returnvalue)));
    events.on("failed", ({ jobId, failedReason }) => this.fail(jobId, failedReason));
    events.on("progress", ({ jobId, data }) => this.pending.get(jobId)?.onProgress?.(data as JobProgress));
    this.poller = setInterval(() => void this.poll(), options.pollMs ?? 2000);
  }

  /** Checks that Redis answers, then connects the queue and its event stream. */
  static async connect(options: QueueExecutorOptions): Promise<QueueExecutor> {
    await checkRedis(options.url);
    const connection = redisOptions(options.url) as ConnectionOptions;
    const name = options.queueName ?? DEFAULT_QUEUE_NAME;
    const { Queue, QueueEvents } = await import("bullmq");
    const queue = new Queue(name, { connection });
    const events = new QueueEvents(name, { connection });
    const warn = throttledWarnings(options.warn ?? (() => {}));
    queue.on("error", warn);
    events.on("error", warn);
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    return new QueueExecutor(queue, events, options);
  }

  /** The job slots of the workers connected now (a worker announces its slots in its name). */
  async capacity(): Promise<number> {
    const workers = await this.queue.getWorkers();
    const names = new Set(workers.map((w) => String(w.rawname ?? w.name)));
    let slots = 0;
    for (const name of names) slots += slotsOf(name) ?? 1;
    return slots;
  }

  run(id: string, job: Job, onProgress?: (progress: JobProgress) => void): Promise<JobResult> {
    if (this.closed) return Promise.reject(new ExecutorClosedError());
    return new Promise<JobResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, ...(onProgress ? { onProgress } : {}) });
      this.submit(id, job).catch((error: Error) => {
        this.pending.delete(id);
        reject(error);
      });
    });
  }

  private async submit(id: string, job: Job): Promise<void> {
    const existing = await this.queue.getJob(id);
    if (existing) {
      // Left by an earlier session of this sweep: collect it, or try again one that failed.
      const state = await existing.getState();
      if (state === "failed") await existing.retry();
      else await this.check(id, existing);
      return;
    }
    await this.queue.add(job.kind, job, {
      jobId: id,
      attempts: this.options.attempts ?? 5,
      backoff: { type: "exponential", delay: 1000 },
      removeOnComplete: { age: KEEP_FINISHED_SECONDS },
      removeOnFail: { age: KEEP_FINISHED_SECONDS },
    });
  }

  private settle(id: string, result: () => JobResult): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    try {
      pending.resolve(result());
    } catch (error) {
      pending.reject(error as Error);
    }
  }

  private fail(id: string, reason: string): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    pending.reject(new Error(reason || "the job failed"));
  }

  private async check(id: string, job?: BullJob): Promise<void> {
    const found = job ?? (await this.queue.getJob(id));
    if (!found) return;
    const state = await found.getState();
    if (state === "completed") this.settle(id, () => parseResult(found.returnvalue));
    else if (state === "failed") this.fail(id, found.failedReason);
  }

  private async poll(): Promise<void> {
    for (const id of [...this.pending.keys()]) {
      if (this.closed) return;
      await this.check(id).catch(() => {});
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.poller);
    const ids = [...this.pending.keys()];
    for (const id of ids) {
      // Withdraw what no worker has taken yet; a running job finishes and is collected next time.
      const job = await this.queue.getJob(id).catch(() => undefined);
      if (job && (await job.getState().catch(() => "")) === "waiting") await job.remove().catch(() => {});
      this.pending.get(id)?.reject(new ExecutorClosedError());
    }
    this.pending.clear();
    await Promise.all([this.events.close(), this.queue.close()]).catch(() => {});
  }
}

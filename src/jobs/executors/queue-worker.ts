// `infiniset worker --queue redis://…`: takes jobs from the queue and runs each in a child
// process (child-job.ts), as many at once as it has slots, streaming progress back to the
// job (the coordinator hears it as events) and returning the result for BullMQ to store.
// Because training runs in the child, this process's event loop stays free to renew its
// job locks; if it is killed, its locks expire and BullMQ's stalled check (run by the other
// workers) puts the job back for another worker, while the orphaned child notices it has
// lost its parent and exits.
import { hostname } from "node:os";
import type { ConnectionOptions } from "bullmq";
import { runJobInChild } from "../child-job.js";
import type { Job, JobResult } from "../job.js";
import { DEFAULT_QUEUE_NAME, throttledWarnings, workerName } from "./queue-names.js";
import { checkRedis, redisOptions } from "./redis-connection.js";

export interface QueueWorkerOptions {
  url: string;
  queueName?: string;
  /** Run directories of train jobs live here. */
  workDir: string;
  /** Jobs at once. */
  slots: number;
  /** Compute threads per job. */
  threadsPerJob: number;
  /**
   * How long a job's lock lasts without renewal, in ms: a job whose worker died is handed
   * to another worker this long (plus one stalled check) later. Default 30 000.
   */
  lockMs?: number;
  log?: (message: string) => void;
}

export interface RunningWorker {
  readonly name: string;
  /** Stops taking jobs; waits for running ones unless `force`, which ends them (they will be retried). */
  close(force?: boolean): Promise<void>;
}

function describeJob(job: Job): string {
  if (job.kind === "train") return `train ${job.dir} to iteration ${job.settings.iterations}`;
  return `${job.kind} ${job.items.length} text${job.items.length === 1 ? "" : "s"}`;
}

export async function startQueueWorker(options: QueueWorkerOptions): Promise<RunningWorker> {
  await checkRedis(options.url);
  const log = options.log ?? (() => {});
  const lockMs = options.lockMs ?? 30_000;
  const stop = new AbortController();
  const name = workerName(hostname(), process.pid, options.slots);
  const { Worker } = await import("bullmq");
  const worker = new Worker<Job, JobResult>(
    options.queueName ?? DEFAULT_QUEUE_NAME,
    async (job) => {
      log(`${job.id}: ${describeJob(job.data)} (attempt ${job.attemptsStarted})`);
      const result = await runJobInChild(job.data, {
        workDir: options.workDir,
        threads: options.threadsPerJob,
        signal: stop.signal,
        onProgress: (progress) => void job.updateProgress(progress).catch(() => {}),
      });
      log(
        `${job.id}: ${result.status} in ${result.seconds.toFixed(1)} s${result.error ? `: ${result.error}` : ""}`,
      );
      return result;
    },
    {
      connection: redisOptions(options.url) as ConnectionOptions,
      concurrency: options.slots,
      name,
      lockDuration: lockMs,
      stalledInterval: Math.max(1000, Math.round(lockMs / 2)),
      maxStalledCount: 3,
    },
  );
  worker.on("error", throttledWarnings(log));
  worker.on("failed", (job, error) => {
    if (job) log(`${job.id}: attempt ${job.attemptsMade} failed: ${error.message}`);
  });
  await worker.waitUntilReady();
  return {
    name,
    async close(force = false) {
      if (force) stop.abort();
      await worker.close(force);
    },
  };
}

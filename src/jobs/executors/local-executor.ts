// Jobs in child processes on this machine, as many at once as there are slots: the default,
// with no server to run. A process that dies (not a job that fails in itself) is tried
// again, like a queue retries a job whose worker died.
import { availableParallelism } from "node:os";
import { type ChildJobOptions, JobRetryLaterError, runJobInChild } from "../child-job.js";
import type { Job, JobProgress, JobResult } from "../job.js";
import { type Executor, ExecutorClosedError } from "./executor.js";

export interface LocalExecutorOptions {
  /** Run directories of train jobs are resolved here. */
  workDir: string;
  /** Compute threads per job. Default 1. */
  threadsPerJob?: number;
  /** Jobs at once. Default: the cores divided by the threads per job, at least 1. */
  processes?: number;
  /** Tries per job. Default 3. */
  attempts?: number;
}

/** The processes a machine runs at once: its cores ÷ threads per job, at least one. */
export function defaultProcessCount(threadsPerJob: number): number {
  return Math.max(1, Math.floor(availableParallelism() / threadsPerJob));
}

export class LocalExecutor implements Executor {
  readonly description: string;
  private readonly processes: number;
  private readonly threads: number;
  private readonly attempts: number;
  private readonly stop = new AbortController();
  private readonly queue: (() => void)[] = [];
  private active = 0;

  constructor(private readonly options: LocalExecutorOptions) {
    this.threads = options.threadsPerJob ?? 1;
    this.processes = options.processes ?? defaultProcessCount(this.threads);
    this.attempts = options.attempts ?? 3;
    this.description = `${this.processes} local process${this.processes === 1 ? "" : "es"} × ${this.threads} thread${this.threads === 1 ? "" : "s"}`;
  }

  async capacity(): Promise<number> {
    return this.processes;
  }

  async run(_id: string, job: Job, onProgress?: (progress: JobProgress) => void): Promise<JobResult> {
    await this.slot();
    try {
      const options: ChildJobOptions = {
        workDir: this.options.workDir,
        threads: this.threads,
        signal: this.stop.signal,
        ...(onProgress ? { onProgress } : {}),
      };
      for (let attempt = 1; ; attempt++) {
        if (this.stop.signal.aborted) throw new ExecutorClosedError();
        try {
          return await runJobInChild(job, options);
        } catch (error) {
          if (this.stop.signal.aborted) throw new ExecutorClosedError();
          if (attempt >= this.attempts) throw error;
          await new Promise((r) => setTimeout(r, error instanceof JobRetryLaterError ? 2000 : 250));
        }
      }
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }

  private async slot(): Promise<void> {
    if (this.active < this.processes) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.queue.push(resolve));
    this.active++;
    if (this.stop.signal.aborted) throw new ExecutorClosedError();
  }

  async close(): Promise<void> {
    this.stop.abort();
    for (const wake of this.queue.splice(0)) wake();
  }
}

// Where jobs run: local child processes, or workers behind a queue. A sweep or a batch
// hands each job with an id that names it for good (the same job resubmitted after a
// restart gets the same id, so a queue runs it once), and gets back its result.
import type { Job, JobProgress, JobResult } from "../job.js";

export interface Executor {
  /** Says where jobs run, for the user. */
  readonly description: string;
  /** How many jobs can run at once now. */
  capacity(): Promise<number>;
  /** Runs `job` (or, on a queue, finds it already done) and resolves with its result. */
  run(id: string, job: Job, onProgress?: (progress: JobProgress) => void): Promise<JobResult>;
  /**
   * Stops: running jobs are given up (local processes end, their checkpoints kept; on a
   * queue, jobs already taken by workers finish there and are collected by the next
   * session, while jobs still waiting are withdrawn). Pending `run` calls reject.
   */
  close(): Promise<void>;
}

/** Thrown by `run` for jobs given up by `close`. */
export class ExecutorClosedError extends Error {
  constructor() {
    super("stopped");
  }
}

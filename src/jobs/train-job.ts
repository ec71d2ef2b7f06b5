// A train job, inside the worker's child process: continue (or start) the run directory up to
// the job's iteration, reporting each evaluation as it happens. The run directory is
// claimed with a lock file first, so that two attempts at the same job (a worker that lost
// its lock to a stall but is still training, and the retry) never write one directory.
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import type { JobProgress, TrainJob } from "./job.js";
import { type Evaluation, runKind } from "./training-runs.js";

const LOCK_FILE = ".infiniset-job.lock";
/** A lock not touched for this long belongs to a process that is gone (on any machine). */
const STALE_LOCK_MS = 60_000;

/** The job cannot run now but may later (another attempt holds its directory): retry it. */
export class RetryLaterError extends Error {}

interface LockOwner {
  host: string;
  pid: number;
}

function ownerAlive(owner: LockOwner, mtimeMs: number): boolean {
  if (owner.host !== hostname()) return Date.now() - mtimeMs < STALE_LOCK_MS;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the lock of `dir`, or throws RetryLaterError naming its live owner; returns a function that refreshes it. */
function claimDirectory(dir: string): { touch(): void; release(): void } {
  const path = join(dir, LOCK_FILE);
  const me: LockOwner = { host: hostname(), pid: process.pid };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      return {
        touch: () => {
          const now = new Date();
          utimesSync(path, now, now);
        },
        release: () => rmSync(path, { force: true }),
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    let owner: LockOwner | undefined;
    let mtimeMs = 0;
    try {
      owner = JSON.parse(readFileSync(path, "utf8")) as LockOwner;
      mtimeMs = statSync(path).mtimeMs;
    } catch {
      // A lock file half written by a process that died: stale.
    }
    if (owner && ownerAlive(owner, mtimeMs)) {
      throw new RetryLaterError(`${dir} is in use by process ${owner.pid} on ${owner.host}`);
    }
    rmSync(path, { force: true });
  }
  throw new RetryLaterError(`${dir}: could not take its lock`);
}

/**
 * Runs a train job in `workDir`; `alive` is called at every step and should exit the process
 * when whoever started it is gone. Returns every evaluation of the run.
 */
export function runTrainJob(
  job: TrainJob,
  workDir: string,
  report: (progress: JobProgress) => void,
  alive: () => void,
): Evaluation[] {
  const dir = resolve(workDir, job.dir);
  mkdirSync(dir, { recursive: true });
  const lock = claimDirectory(dir);
  try {
    return runKind(job.model).train(job.settings, dir, {
      onStep() {
        alive();
        lock.touch();
      },
      onEvaluation: (evaluation) => report({ evaluation }),
    });
  } finally {
    lock.release();
  }
}

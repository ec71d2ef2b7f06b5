// Runs a job in a child process (job-process.ts) and gives back its result: how both the
// local executor and a queue worker do work. The child gets the job on stdin and
// INFINISET_THREADS for its compute threads; its progress lines are handed on as they
// come; stopping (an abort signal) ends it, which loses nothing that its run directory's
// last checkpoint holds.
import { spawn } from "node:child_process";
import { hostname } from "node:os";
import { fileURLToPath } from "node:url";
import { EXIT_RETRY_LATER, type Job, type JobProgress, type JobResult } from "./job.js";

const JOB_PROCESS = fileURLToPath(new URL("./job-process.js", import.meta.url));
/** How much of the child's stderr is kept to explain a failure. */
const STDERR_TAIL = 4096;

export interface ChildJobOptions {
  /** Run directories of train jobs are resolved here. */
  workDir: string;
  /** Compute threads of the child. */
  threads: number;
  onProgress?: (progress: JobProgress) => void;
  signal?: AbortSignal;
}

/** The job could not run now (another attempt holds its directory); trying again later may work. */
export class JobRetryLaterError extends Error {}

/** The last line of `text` that is not blank. */
function lastLine(text: string): string {
  return (
    text
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "")
      .at(-1) ?? ""
  );
}

export function runJobInChild(job: Job, options: ChildJobOptions): Promise<JobResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [JOB_PROCESS, options.workDir], {
      stdio: ["pipe", "ignore", "pipe", "pipe"],
      // Its own process group: Ctrl-C in a terminal reaches the coordinator, which stops its
      // children itself (they may be mid-checkpoint), not every process at once.
      detached: true,
      env: { ...process.env, INFINISET_THREADS: String(options.threads) },
    });
    let stderr = "";
    let pending = "";
    let result: Omit<JobResult, "seconds" | "worker"> | undefined;
    const onAbort = () => child.kill("SIGTERM");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-STDERR_TAIL);
    });
    const protocol = child.stdio[3] as NodeJS.ReadableStream;
    protocol.on("data", (chunk: Buffer) => {
      pending += chunk.toString("utf8");
      let newline = pending.indexOf("\n");
      while (newline >= 0) {
        const message = JSON.parse(pending.slice(0, newline)) as {
          progress?: JobProgress;
          result?: Omit<JobResult, "seconds" | "worker">;
        };
        pending = pending.slice(newline + 1);
        if (message.progress) options.onProgress?.(message.progress);
        if (message.result) result = message.result;
        newline = pending.indexOf("\n");
      }
    });
    child.on("error", reject);
    child.stdin!.on("error", () => {}); // a child that dies at once closes its stdin; its exit says why
    child.stdin!.end(JSON.stringify(job));
    child.on("close", (code, signal) => {
      options.signal?.removeEventListener("abort", onAbort);
      if (code === 0 && result) {
        resolve({
          ...result,
          seconds: (performance.now() - started) / 1000,
          worker: `${hostname()}:${process.pid}`,
        });
        return;
      }
      const why = lastLine(stderr);
      if (code === EXIT_RETRY_LATER) {
        reject(new JobRetryLaterError(why || "the job cannot run now"));
        return;
      }
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      reject(new Error(`the job process ${how}${why ? `: ${why}` : ""}`));
    });
  });
}

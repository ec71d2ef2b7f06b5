// The process a job runs in, started by a local executor or a queue worker (child-job.ts):
// reads the job as JSON on stdin, does it, and writes JSON lines on file descriptor 3 —
// progress as it goes, then the result — so nothing the job's code prints on stdout can be
// mistaken for them. Training is synchronous, which is why it has a process of its own:
// its parent stays free to renew queue locks and to hear about progress.
//
//   exit 0   a result line was written (the job completed or failed in itself)
//   exit 75  the job cannot run now (its run directory is in use): retry it later
//   other    the process failed: retry it
import { writeSync } from "node:fs";
import { runEvalTextsJob, runGenerateTextsJob } from "./batch-jobs.js";
import { EXIT_RETRY_LATER, type Job, type JobProgress, type JobResult } from "./job.js";
import { RetryLaterError, runTrainJob } from "./train-job.js";

const PROTOCOL_FD = 3;

function send(message: unknown): void {
  writeSync(PROTOCOL_FD, `${JSON.stringify(message)}\n`);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Exits when the process that started this one is gone (killed with -9: no one will read the result). */
function exitWithParent(): () => void {
  const parent = process.ppid;
  return () => {
    if (process.ppid !== parent) process.exit(70);
  };
}

function run(job: Job, workDir: string): Omit<JobResult, "seconds" | "worker"> {
  const alive = exitWithParent();
  const report = (progress: JobProgress) => {
    alive();
    send({ progress });
  };
  switch (job.kind) {
    case "train":
      return { status: "completed", evaluations: runTrainJob(job, workDir, report, alive) };
    case "eval":
      return { status: "completed", items: runEvalTextsJob(job, report) };
    case "generate":
      return { status: "completed", items: runGenerateTextsJob(job, report) };
    default:
      throw new Error(`unknown job kind "${(job as { kind: unknown }).kind}"`);
  }
}

async function main(): Promise<void> {
  const workDir = process.argv[2] ?? process.cwd();
  const job = JSON.parse(await readStdin()) as Job;
  let result: Omit<JobResult, "seconds" | "worker">;
  try {
    result = run(job, workDir);
  } catch (error) {
    if (error instanceof RetryLaterError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(EXIT_RETRY_LATER);
    }
    result = { status: "failed", error: (error as Error).message ?? String(error) };
  }
  send({ result });
}

await main();

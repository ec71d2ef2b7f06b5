// `infiniset worker --queue redis://HOST:PORT`: a process that runs jobs from the queue —
// sweep trials, batch evaluation and generation — until it is stopped. Start one per
// machine (or per group of cores); any number can join or leave at any time.
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { Command } from "commander";
import { defaultProcessCount } from "../../jobs/executors/local-executor.js";
import { startQueueWorker } from "../../jobs/executors/queue-worker.js";
import { safeUrl } from "../../jobs/executors/redis-connection.js";
import { integerInRange } from "../parse-integer.js";
import { numberInRange } from "../parse-number.js";

interface WorkerFlags {
  queue: string;
  queueName?: string;
  workDir: string;
  slots?: number;
  threads: number;
  lockSeconds: number;
}

export function workerCommand(): Command {
  return new Command("worker")
    .description("run sweep trials and batch jobs from a Redis queue (BullMQ) until stopped")
    .requiredOption("--queue <url>", "redis://HOST:PORT of the queue")
    .option("--queue-name <name>", "the BullMQ queue (default: infiniset)")
    .option(
      "--work-dir <dir>",
      "where trials' run directories go (share it between workers to continue trials anywhere)",
      "runs/jobs",
    )
    .option("--slots <n>", "jobs at once (default: cores ÷ --threads)", integerInRange(1, 1024))
    .option("--threads <n>", "compute threads per job", integerInRange(1, 1024), 1)
    .option(
      "--lock-seconds <s>",
      "a job whose worker stops answering goes back to the queue after this long",
      numberInRange(1, 86_400),
      30,
    )
    .action(async (flags: WorkerFlags) => {
      const log = (message: string) => process.stdout.write(`${new Date().toISOString()} ${message}\n`);
      const slots = flags.slots ?? defaultProcessCount(flags.threads);
      const worker = await startQueueWorker({
        url: flags.queue,
        ...(flags.queueName ? { queueName: flags.queueName } : {}),
        workDir: resolve(flags.workDir),
        slots,
        threadsPerJob: flags.threads,
        lockMs: Math.round(flags.lockSeconds * 1000),
        log,
      });
      log(
        `worker ${worker.name}: ${slots} slot${slots === 1 ? "" : "s"} × ${flags.threads} thread${flags.threads === 1 ? "" : "s"} ` +
          `(${availableParallelism()} cores), queue ${flags.queueName ?? "infiniset"} at ${safeUrl(flags.queue)}, work dir ${resolve(flags.workDir)}`,
      );
      await new Promise<void>((done) => {
        let stopping = false;
        const stop = (signal: string) => {
          if (stopping) {
            log(`${signal} again: ending running jobs (they will be retried)`);
            void worker.close(true).then(done);
            return;
          }
          stopping = true;
          log(`${signal}: finishing running jobs, taking no new ones (again to end them now)`);
          void worker.close().then(done);
        };
        process.on("SIGINT", () => stop("SIGINT"));
        process.on("SIGTERM", () => stop("SIGTERM"));
      });
      log("worker stopped");
    });
}

// `infiniset batch eval|generate`: score every text of a corpus with a trained model, or
// continue every prompt, split into jobs over local processes or, with --queue, over
// `infiniset worker` processes on any number of machines. Results go to a JSON-lines file,
// one per item, in input order.
import { resolve } from "node:path";
import { Command } from "commander";
import { readBatchInput } from "../../batch/batch-input.js";
import { type BatchTask, runBatch, scoreSummary } from "../../batch/run-batch.js";
import type { Executor } from "../../jobs/executors/executor.js";
import { LocalExecutor } from "../../jobs/executors/local-executor.js";
import { QueueExecutor } from "../../jobs/executors/queue-executor.js";
import { checkRedis } from "../../jobs/executors/redis-connection.js";
import { readCheckpointConfig } from "../../train/checkpoint.js";
import { integerInRange } from "../parse-integer.js";
import { withSamplingFlags } from "./generate.js";

interface BatchFlags {
  checkpoint: string;
  input: string;
  out: string;
  perJob?: number;
  workers?: number;
  queue?: string;
  queueName?: string;
  resume?: boolean;
  json?: boolean;
  maxTokens: number;
  temperature: number;
  topK?: number;
  topP?: number;
  seed: number;
}

async function runFromFlags(kind: "eval" | "generate", flags: BatchFlags): Promise<void> {
  const print = (line: string) => process.stdout.write(`${line}\n`);
  if (flags.queue !== undefined && flags.workers !== undefined)
    throw new Error("give --workers or --queue, not both");
  // Workers elsewhere read the checkpoint by its path: make it absolute, and check it here first.
  const checkpoint = resolve(flags.checkpoint);
  readCheckpointConfig(checkpoint);
  const items = readBatchInput(flags.input);
  const task: BatchTask =
    kind === "eval"
      ? { kind, checkpoint }
      : {
          kind,
          checkpoint,
          maxTokens: flags.maxTokens,
          temperature: flags.temperature,
          seed: flags.seed,
          ...(flags.topK === undefined ? {} : { topK: flags.topK }),
          ...(flags.topP === undefined ? {} : { topP: flags.topP }),
        };
  let executor: Executor;
  if (flags.queue !== undefined) {
    await checkRedis(flags.queue);
    executor = await QueueExecutor.connect({
      url: flags.queue,
      ...(flags.queueName ? { queueName: flags.queueName } : {}),
      warn: (message) => process.stderr.write(`${message}\n`),
    });
  } else {
    executor = new LocalExecutor({
      workDir: process.cwd(),
      ...(flags.workers ? { processes: flags.workers } : {}),
    });
  }
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  let lastShown = 0;
  try {
    const run = await runBatch({
      task,
      items,
      out: flags.out,
      executor,
      ...(flags.perJob ? { perJob: flags.perJob } : {}),
      ...(flags.resume ? { resume: true } : {}),
      signal: stop.signal,
      onProgress: (done, total) => {
        const now = Date.now();
        if (!flags.json && process.stderr.isTTY && (now - lastShown > 500 || done === total)) {
          lastShown = now;
          process.stderr.write(`\r${done}/${total} items`);
          if (done === total) process.stderr.write("\n");
        }
      },
    });
    if (run.stopped) {
      process.stderr.write(
        `stopped: continue with --resume (${run.results.length} of ${items.length} items in ${flags.out})\n`,
      );
      process.exitCode = 130;
      return;
    }
    const failed = run.results.filter((r) => typeof r.error === "string");
    const summary = {
      kind,
      items: items.length,
      failed: failed.length,
      jobs: run.jobs,
      resumed: run.resumed,
      seconds: Number(run.seconds.toFixed(3)),
      out: flags.out,
      ...(kind === "eval"
        ? (({ tokens, loss, perplexity }) => ({ tokens, loss, perplexity }))(scoreSummary(run.results))
        : {}),
    };
    if (flags.json) {
      print(JSON.stringify(summary));
    } else {
      const scored =
        kind === "eval"
          ? `; ${summary.tokens} tokens, loss ${summary.loss?.toFixed(4)}, perplexity ${summary.perplexity?.toFixed(2)}`
          : "";
      print(
        `${items.length} items in ${run.jobs} jobs, ${run.seconds.toFixed(1)} s on ${executor.description}${scored}; results ${flags.out}`,
      );
      for (const r of failed.slice(0, 3)) print(`item ${r.index} (${r.source}): ${r.error}`);
      if (failed.length > 3) print(`… ${failed.length - 3} more items failed`);
    }
  } finally {
    process.off("SIGINT", onSignal);
    await executor.close();
  }
}

function shared(command: Command): Command {
  return command
    .requiredOption(
      "--checkpoint <dir>",
      "a GPT or rnn/lstm/gru run directory or checkpoint folder (the same path on every worker)",
    )
    .requiredOption("--input <path>", 'one item per line, a .jsonl of {"text": …}, or a folder of .txt files')
    .requiredOption("--out <file>", "the JSON-lines file of results, one per item")
    .option(
      "--per-job <n>",
      "items per job (default: about four jobs per slot)",
      integerInRange(1, 1_000_000),
    )
    .option("--workers <n>", "local processes (default: the cores)", integerInRange(1, 1024))
    .option(
      "--queue <url>",
      "redis://HOST:PORT: run the jobs on `infiniset worker` processes through this Redis",
    )
    .option("--queue-name <name>", "the BullMQ queue (default: infiniset)")
    .option("--resume", "keep the results already in --out and do the rest")
    .option("--json", "print one JSON summary object");
}

export function batchCommand(): Command {
  const evalCommand = shared(new Command("eval"))
    .description(
      "score each text: tokens, loss per token and perplexity (blocks of the model's context, in order)",
    )
    .action((flags: BatchFlags) => runFromFlags("eval", flags));
  const generateCommand = shared(new Command("generate")).description(
    "continue each prompt; each prompt's sampling seed is --seed plus its index",
  );
  withSamplingFlags(generateCommand, "tokens to generate per prompt").action((flags: BatchFlags) =>
    runFromFlags("generate", flags),
  );
  return new Command("batch")
    .description(
      "score or continue every text of a corpus with a trained model, over local processes or Redis workers",
    )
    .addCommand(evalCommand)
    .addCommand(generateCommand);
}

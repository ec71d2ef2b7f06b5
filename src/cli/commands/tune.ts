// `infiniset tune --config sweep.json`: a hyper-parameter sweep on local processes, or on
// `infiniset worker` processes through Redis with --queue. Prints a line per trial segment
// started and ended, then a summary table; Ctrl-C stops the sweep so that --resume can
// continue it.
import { Command } from "commander";
import { checkRedis } from "../../jobs/executors/redis-connection.js";
import { rungIterations } from "../../tune/strategies/strategy.js";
import { formatValue, summaryTable } from "../../tune/summary.js";
import type { SweepEvent } from "../../tune/sweep.js";
import { maxIterations, readSweepConfig, type SweepConfig, trialLimit } from "../../tune/sweep-config.js";
import { tune } from "../../tune/tune.js";
import { integerInRange } from "../parse-integer.js";
import { formatTable } from "../text-table.js";

interface TuneFlags {
  config: string;
  out?: string;
  resume?: boolean;
  workers?: number;
  queue?: string;
  queueName?: string;
  json?: boolean;
}

function describeParams(params: Record<string, unknown>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${formatValue(v)}`)
    .join(" ");
}

function describeSweep(config: SweepConfig): string {
  const limit = trialLimit(config);
  const trials = Number.isFinite(limit) ? `${limit} trials at most` : "trials until the time budget";
  const { type, eta, minIterations } = config.strategy;
  const rungs =
    type === "asha" || type === "successive-halving"
      ? `; rungs at ${rungIterations(maxIterations(config), minIterations, eta).join(", ")} iterations, eta ${eta}`
      : maxIterations(config) === 1
        ? ""
        : `; ${maxIterations(config)} iterations each`;
  const time = config.budget.seconds === undefined ? "" : `, ${config.budget.seconds} s at most`;
  return (
    `sweep ${config.name}: ${type} over ${Object.keys(config.space).join(", ")} (${trials}${rungs}${time}), ` +
    `${config.model} runs, objective ${config.objective.metric} (${config.objective.mode})`
  );
}

function printEvent(event: SweepEvent, print: (line: string) => void): void {
  if (event.type === "start") {
    const { trial, iterations } = event.segment;
    print(`trial ${trial} → ${iterations} iterations  ${describeParams(event.params)}`);
  } else if (event.type === "result") {
    const r = event.record;
    const outcome = r.objective === null ? `failed: ${r.error}` : `objective ${r.objective.toFixed(4)}`;
    print(`trial ${r.trial} @${r.iterations}: ${outcome}  (${r.seconds.toFixed(1)} s on ${r.worker || "?"})`);
  } else if (event.type === "waiting-for-workers") {
    print(
      "waiting for a worker: start `infiniset worker --queue …` on any machine that can reach this Redis",
    );
  }
}

export function tuneCommand(): Command {
  return new Command("tune")
    .description(
      "search hyper-parameters: grid, random, successive halving or ASHA, on local processes or Redis workers",
    )
    .requiredOption(
      "--config <file>",
      "the sweep: what to train, the search space, strategy, objective and budget (JSON)",
    )
    .option(
      "--out <dir>",
      "the sweep directory: results.jsonl, plot.svg, the trials' runs (default: runs/sweeps/<name>)",
    )
    .option("--resume", "continue the sweep in --out where it stopped")
    .option("--workers <n>", "local processes (default: cores ÷ threadsPerTrial)", integerInRange(1, 1024))
    .option(
      "--queue <url>",
      "redis://HOST:PORT: run trials on `infiniset worker` processes through this Redis (BullMQ)",
    )
    .option("--queue-name <name>", "the BullMQ queue (default: infiniset)")
    .option("--json", "print each result as a JSON line, then a summary object")
    .action(async (flags: TuneFlags) => {
      const print = (line: string) => process.stdout.write(`${line}\n`);
      const config = readSweepConfig(flags.config);
      if (flags.queue !== undefined && flags.workers !== undefined) {
        throw new Error(
          "--workers sets local processes; with --queue, start as many `infiniset worker` processes as you like",
        );
      }
      const stop = new AbortController();
      const onSignal = () => {
        if (stop.signal.aborted) process.exit(130);
        process.stderr.write("stopping the sweep (Ctrl-C again to quit at once)…\n");
        stop.abort();
      };
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
      // An unreachable Redis is the whole story: say so before anything else.
      if (flags.queue !== undefined) await checkRedis(flags.queue);
      if (!flags.json) print(describeSweep(config));
      try {
        const result = await tune({
          config: flags.config,
          ...(flags.out ? { out: flags.out } : {}),
          ...(flags.resume ? { resume: true } : {}),
          ...(flags.workers ? { workers: flags.workers } : {}),
          ...(flags.queue !== undefined ? { queue: flags.queue } : {}),
          ...(flags.queueName ? { queueName: flags.queueName } : {}),
          signal: stop.signal,
          warn: (message) => process.stderr.write(`${message}\n`),
          onEvent: (event) => {
            if (!flags.json) printEvent(event, print);
            else if (event.type === "result") print(JSON.stringify({ type: "result", ...event.record }));
          },
        });
        const { summary, run } = result;
        if (flags.json) {
          print(
            JSON.stringify({
              type: "summary",
              sweep: config.name,
              reason: run.reason,
              trials: summary.trials.length,
              iterations: summary.iterations,
              seconds: Number(run.seconds.toFixed(3)),
              best: summary.best ?? null,
              results: result.resultsFile,
            }),
          );
        } else {
          const { header, rows } = summaryTable(summary, config.objective.metric);
          print("");
          for (const line of formatTable(header, rows)) print(line);
          if (summary.trials.length > rows.length)
            print(`… ${summary.trials.length - rows.length} more in ${result.resultsFile}`);
          const best = summary.best;
          if (best && best.objective !== null) {
            print(
              `best: trial ${best.trial} (${describeParams(best.params)}): ${config.objective.metric} ${best.objective.toFixed(4)}` +
                (maxIterations(config) > 1 ? ` at ${best.iterations} iterations` : ""),
            );
          }
          print(
            `${summary.trials.length} trials, ${summary.iterations} iterations trained in ${run.seconds.toFixed(1)} s on ${result.executor}; ` +
              `results ${result.resultsFile}${result.plotFile ? `, plot ${result.plotFile}` : ""}`,
          );
        }
        if (run.reason !== "completed") {
          const why = run.reason === "time-budget" ? "the time budget is spent" : "stopped";
          process.stderr.write(
            `${why}: continue with infiniset tune --config ${flags.config}${flags.out ? ` --out ${flags.out}` : ""} --resume\n`,
          );
          if (run.reason === "stopped") process.exitCode = 130;
        }
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
    });
}

// `tune()`: a sweep from a config to its summary, on local processes or a queue — what
// `infiniset tune` runs. The results file, the plot and (locally) the trials' run
// directories are in the sweep directory.
import { join } from "node:path";
import { writeFileAtomicSync } from "../formats/atomic-write.js";
import type { Executor } from "../jobs/executors/executor.js";
import { LocalExecutor } from "../jobs/executors/local-executor.js";
import { QueueExecutor } from "../jobs/executors/queue-executor.js";
import { renderSweepSvg } from "./plot-sweep.js";
import { RESULTS_FILE } from "./results-log.js";
import { type SweepSummary, summarizeSweep } from "./summary.js";
import { runSweep, type SweepEvent, type SweepRun } from "./sweep.js";
import { maxIterations, parseSweepConfig, readSweepConfig, type SweepConfig } from "./sweep-config.js";

export const PLOT_FILE = "plot.svg";

export interface TuneOptions {
  /** A config file's path, or the config as an object. */
  config: string | Record<string, unknown>;
  /** The sweep directory. Default: runs/sweeps/<name>. */
  out?: string;
  /** redis://HOST:PORT: run trials on `infiniset worker` processes through this Redis. */
  queue?: string;
  queueName?: string;
  /** Local processes (without a queue). Default: cores ÷ the config's threads per trial. */
  workers?: number;
  resume?: boolean;
  onEvent?: (event: SweepEvent) => void;
  /** Told about connection trouble with the queue. */
  warn?: (message: string) => void;
  signal?: AbortSignal;
}

export interface TuneResult {
  config: SweepConfig;
  out: string;
  run: SweepRun;
  summary: SweepSummary;
  resultsFile: string;
  /** The plot, once there is a result to plot. */
  plotFile?: string;
  executor: string;
}

export async function tune(options: TuneOptions): Promise<TuneResult> {
  const config =
    typeof options.config === "string" ? readSweepConfig(options.config) : parseSweepConfig(options.config);
  const out = options.out ?? join("runs", "sweeps", config.name);
  let executor: Executor;
  if (options.queue !== undefined) {
    executor = await QueueExecutor.connect({
      url: options.queue,
      ...(options.queueName ? { queueName: options.queueName } : {}),
      ...(options.warn ? { warn: options.warn } : {}),
    });
  } else {
    executor = new LocalExecutor({
      workDir: join(out, "trials"),
      threadsPerJob: config.threadsPerTrial,
      ...(options.workers ? { processes: options.workers } : {}),
    });
  }
  try {
    const run = await runSweep({
      config,
      out,
      executor,
      ...(options.resume ? { resume: true } : {}),
      ...(options.queue !== undefined ? { sharedWorkDir: true } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const max = maxIterations(config);
    const summary = summarizeSweep(run.records, config.objective, max);
    let plotFile: string | undefined;
    if (run.records.some((r) => r.objective !== null)) {
      plotFile = join(out, PLOT_FILE);
      writeFileAtomicSync(
        plotFile,
        renderSweepSvg(run.records, config.objective, max, {
          title: `Sweep ${config.name}: ${config.objective.metric} per trial`,
        }),
      );
    }
    return {
      config,
      out,
      run,
      summary,
      resultsFile: join(out, RESULTS_FILE),
      ...(plotFile ? { plotFile } : {}),
      executor: executor.description,
    };
  } finally {
    await executor.close();
  }
}

// tune: hyper-parameter search on a baby-GPT learning-rate × width sweep (Moby Dick).
//
//   npm run bench -- tune [--iters 180] [--skip-redis] [--json]
//
// 1. Grid search over every (lr, width) point, with 2 local worker processes, then ASHA
//    (eta 3, rungs iters/9, iters/3, iters) over the same grid points: the best validation
//    loss each finds, and the compute each spends (iterations trained, over all trials).
// 2. The same grid with 1 local worker: the speed-up of 2 workers on this machine.
// 3. Overhead per trial: a sweep of 1-iteration trials on one local process, then through a
//    redis-server started here (when installed) with one worker slot. Per trial, the wall
//    time minus what the trial's own process took (its `seconds`) is the coordination cost;
//    the Redis row's minus the local row's is what going through Redis adds.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startQueueWorker, type TuneResult, tune } from "../../dist/src/tune/index.js";
import { type Bench, type BenchContext, type BenchRecord, fmt, formatTable } from "./report.js";

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args[at + 1];
}

function sweepConfig(iterations: number, strategy: unknown, trials?: number): Record<string, unknown> {
  return {
    name: "lr-width",
    model: "gpt",
    preset: "baby",
    settings: {
      iterations,
      evalInterval: iterations / 9,
      evalBatches: 8,
      nLayer: 2,
      nHead: 4,
      blockSize: 32,
      batchSize: 8,
    },
    space: {
      lr: { type: "log-uniform", low: 1e-3, high: 1e-2, grid: 4 },
      nEmbd: [32, 64, 128],
    },
    strategy,
    ...(trials ? { budget: { trials } } : {}),
  };
}

function record(
  impl: string,
  workers: number,
  result: TuneResult,
  extra: Record<string, number> = {},
): BenchRecord {
  return {
    bench: "tune",
    impl,
    workers,
    trials: result.summary.trials.length,
    wallSeconds: Number(result.run.seconds.toFixed(2)),
    bestObjective: result.summary.best?.objective ?? null,
    iterations: result.summary.iterations,
    ...extra,
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A throw-away redis-server on a loopback port, or undefined when none is installed. */
async function startRedis(dir: string): Promise<{ url: string; stop(): void } | undefined> {
  const port = await freePort();
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", ""],
    {
      stdio: ["ignore", "pipe", "ignore"],
    },
  );
  const ready = await new Promise<boolean>((resolve) => {
    child.on("error", () => resolve(false));
    child.on("exit", () => resolve(false));
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("Ready to accept connections")) resolve(true);
    });
  });
  if (!ready) return undefined;
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill("SIGTERM") };
}

/** Per trial: wall time minus the trials' own process time, in ms. */
function overheadMs(result: TuneResult): number {
  const own = result.run.records.reduce((sum, r) => sum + r.seconds, 0);
  return ((result.run.seconds - own) / result.run.records.length) * 1000;
}

async function runTune(context: BenchContext): Promise<void> {
  const iterations = Number(option(context.args, "--iters") ?? 180);
  if (!Number.isInteger(iterations) || iterations < 9 || iterations % 9 !== 0) {
    throw new Error("tune: --iters needs a multiple of 9 (rungs at iters/9 and iters/3)");
  }
  const dir = mkdtempSync(join(tmpdir(), "infiniset-bench-tune-"));
  try {
    context.log(`grid, 2 workers (12 trials × ${iterations} iterations)…`);
    const grid2 = await tune({
      config: sweepConfig(iterations, "grid"),
      out: join(dir, "grid-2"),
      workers: 2,
    });
    context.emit(record("grid", 2, grid2));
    context.log("ASHA over the same grid points, 2 workers…");
    const asha = await tune({
      config: sweepConfig(iterations, {
        type: "asha",
        eta: 3,
        minIterations: iterations / 9,
        sample: "grid",
      }),
      out: join(dir, "asha-2"),
      workers: 2,
    });
    const gridBest = grid2.summary.best?.objective ?? Number.NaN;
    context.emit(
      record("asha", 2, asha, {
        gapToGrid: Number(((asha.summary.best?.objective ?? Number.NaN) - gridBest).toFixed(4)),
        computeVsGrid: Number((asha.summary.iterations / grid2.summary.iterations).toFixed(3)),
      }),
    );
    context.log("grid, 1 worker…");
    const grid1 = await tune({
      config: sweepConfig(iterations, "grid"),
      out: join(dir, "grid-1"),
      workers: 1,
    });
    context.emit(
      record("grid", 1, grid1, { speedupOf2: Number((grid1.run.seconds / grid2.run.seconds).toFixed(3)) }),
    );

    const tiny = (name: string) => ({
      ...sweepConfig(9, "random", 20),
      name,
      settings: {
        iterations: 1,
        evalInterval: 1,
        evalBatches: 1,
        nLayer: 1,
        nHead: 2,
        nEmbd: 16,
        blockSize: 16,
        batchSize: 2,
      },
      space: { lr: { type: "log-uniform", low: 1e-4, high: 1e-2 } },
    });
    context.log("overhead: 20 one-iteration trials on 1 local process…");
    const local = await tune({
      config: tiny("overhead-local"),
      out: join(dir, "overhead-local"),
      workers: 1,
    });
    const localOverhead = overheadMs(local);
    context.emit(
      record("overhead-local", 1, local, { overheadMsPerTrial: Number(localOverhead.toFixed(1)) }),
    );
    if (context.args.includes("--skip-redis")) return;
    const redis = await startRedis(dir);
    if (!redis) {
      context.log("redis-server is not installed: no Redis overhead figure (apt-get install redis-server)");
      return;
    }
    const worker = await startQueueWorker({
      url: redis.url,
      workDir: join(dir, "jobs"),
      slots: 1,
      threadsPerJob: 1,
    });
    try {
      context.log("overhead: the same through Redis, one worker slot…");
      const queued = await tune({
        config: tiny("overhead-redis"),
        out: join(dir, "overhead-redis"),
        queue: redis.url,
      });
      const queuedOverhead = overheadMs(queued);
      context.emit(
        record("overhead-redis", 1, queued, {
          overheadMsPerTrial: Number(queuedOverhead.toFixed(1)),
          redisMsPerTrial: Number((queuedOverhead - localOverhead).toFixed(1)),
        }),
      );
    } finally {
      await worker.close();
      redis.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function renderTune(records: BenchRecord[]): string {
  const rows = records.map((r) => [
    String(r.impl),
    String(r.workers),
    String(r.trials),
    fmt(r.wallSeconds as number, 3),
    r.bestObjective === null ? "—" : fmt(r.bestObjective as number, 4),
    String(r.iterations),
    r.computeVsGrid !== undefined
      ? `compute ${fmt((r.computeVsGrid as number) * 100, 3)}% of grid, best ${(r.gapToGrid as number) >= 0 ? "+" : ""}${fmt(r.gapToGrid as number, 3)}`
      : r.speedupOf2 !== undefined
        ? `2 workers ${fmt(r.speedupOf2 as number, 3)}× faster`
        : r.overheadMsPerTrial !== undefined
          ? `${fmt(r.overheadMsPerTrial as number, 3)} ms/trial coordination${r.redisMsPerTrial !== undefined ? `, Redis adds ${fmt(r.redisMsPerTrial as number, 3)} ms` : ""}`
          : "",
  ]);
  return formatTable(["impl", "workers", "trials", "wall s", "best valLoss", "iterations", "notes"], rows);
}

export const tuneBench: Bench = {
  name: "tune",
  description:
    "ASHA vs grid on a baby-GPT lr × width sweep, 1 vs 2 local workers, per-trial overhead through Redis (--iters)",
  run: runTune,
  render: renderTune,
};

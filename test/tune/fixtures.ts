// Tiny sweeps for the tune tests: a one-layer GPT with 16-wide embeddings on a short corpus,
// so a trial is a second or two, mostly its process starting.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI_PATH } from "../cli/run-cli.js";

/**
 * Sweeps and batches start processes whose training runs on whatever target they pick; what
 * these tests check is the orchestration around them, the same for every target, so the
 * wasm pass of the suite skips them rather than run minutes of the same again.
 */
export const ORCHESTRATION_ONCE =
  process.env.INFINISET_TARGET === "wasm" ? "orchestration is tested once, on the default target" : undefined;

export const CORPUS = "the cat sat on the mat. the dog sat on the log. ".repeat(30);

export function workspace(): { dir: string; corpus: string } {
  const dir = mkdtempSync(join(tmpdir(), "infiniset-tune-"));
  const corpus = join(dir, "corpus.txt");
  writeFileSync(corpus, CORPUS);
  return { dir, corpus };
}

/** A sweep config over lr and nEmbd of tiny GPT runs of `iterations` steps. */
export function tinySweep(
  corpus: string,
  fields: Record<string, unknown> = {},
  iterations = 6,
): Record<string, unknown> {
  return {
    name: "tiny",
    model: "gpt",
    settings: {
      data: corpus,
      iterations,
      evalInterval: Math.max(1, iterations / 2),
      evalBatches: 1,
      nLayer: 1,
      nHead: 2,
      blockSize: 8,
      batchSize: 2,
    },
    space: { lr: { type: "log-uniform", low: 1e-4, high: 1e-2 }, nEmbd: [8, 16] },
    strategy: "random",
    budget: { trials: 4 },
    ...fields,
  };
}

export function writeConfig(dir: string, config: Record<string, unknown>, name = "sweep.json"): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

/** An `infiniset worker` process; `lines` collects what it logs. */
export interface WorkerProcess {
  child: ChildProcess;
  lines: string[];
  /** Resolves with the first line matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

export function startWorker(args: string[]): WorkerProcess {
  const child = spawn(process.execPath, [CLI_PATH, "worker", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  let pending = "";
  const onData = (chunk: Buffer) => {
    pending += chunk.toString();
    const parts = pending.split("\n");
    pending = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.pattern.test(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  return {
    child,
    lines,
    waitFor(pattern, timeoutMs = 30_000) {
      const seen = lines.find((line) => pattern.test(line));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no worker line matched ${pattern}:\n${lines.join("\n")}`)),
          timeoutMs,
        );
        waiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
    stop() {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        // A worker finishes its running jobs on SIGTERM; the tests' jobs are short.
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill("SIGTERM");
      });
    },
  };
}

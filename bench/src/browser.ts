// browser: the baby GPT's training step (the `baby` preset: 4 layers, 4 heads, embedding 128,
// block 64, batch 12, Moby Dick's characters, AdamW with clipping) in headless Chromium —
// the playground's engine in a Web Worker on the wasm target's pool of Web Workers — beside
// the same step in Node on the wasm target with the same number of threads (train-gpt's
// child process).
//
//   npm run bench -- browser [--rounds 3] [--iters 12] [--warmup 3] [--threads N] [--json]
//
// The browser's figure is the median of the engine's own per-step times (batch, forward,
// backward, clip, update, loss read back), as the Train view shows them. Chromium and Node
// take turns for `--rounds` rounds, so that a change in the machine's load falls on both;
// each side's figure is the median of its rounds' medians, the ratio the median of the
// rounds' ratios.
import { loadMobyDick } from "../../dist/src/data/moby-dick.js";
import {
  buildPlayground,
  chromiumMissing,
  launchChromium,
  servePlayground,
} from "../../dist/test/helpers/playground-site.js";
import { type Bench, type BenchContext, type BenchRecord, fmt, formatTable } from "./report.js";
import { timeInfinisetInChild } from "./train-gpt.js";

function count(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  const value = at < 0 ? fallback : Number(args[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`browser: ${name} needs a whole number >= 1`);
  return value;
}

// The baby preset's batch and block: the tokens of one step.
const BATCH = 12;
const BLOCK = 64;
const tokensPerSec = (msPerIter: number) => (BATCH * BLOCK * 1000) / msPerIter;

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

interface RoundTimes {
  msPerIter: number;
  minMs: number;
  maxMs: number;
  firstLoss: number;
  lastLoss: number;
}

/**
 * The playground open in Chromium with its engine on `threads` threads; `round` trains the
 * baby GPT for `warmup` + `iters` steps there and returns the timed steps' figures.
 */
async function openInChromium(context: BenchContext, threads: number) {
  const { nodeModules } = await buildPlayground();
  if (nodeModules.length > 0)
    context.log(`the page imports Node modules it cannot run: ${nodeModules.join(", ")}`);
  const { url, server } = await servePlayground();
  const browser = await launchChromium();
  const close = async () => {
    await browser.close();
    await server.close();
  };
  try {
    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(`${url}?threads=${threads}`);
    await page.waitForSelector('[data-testid="status"][data-ready="true"]', { timeout: 60_000 });
    const status = (await page.textContent('[data-testid="status"]')) ?? "";
    context.log(`chromium: ${status}`);
    if (!status.includes(`on ${threads} thread`))
      throw new Error(`the engine did not take ${threads} threads: ${status}`);
    const text = loadMobyDick();
    const round = async (warmup: number, iters: number): Promise<RoundTimes> => {
      const steps = await page.evaluate(
        async ({ text, steps, blockSize, batchSize }) => {
          type Engine = {
            call(method: string, params: unknown, onEvent: (event: never) => void): Promise<unknown>;
          };
          const engine = (window as unknown as { infiniset: Engine }).infiniset;
          const times: number[] = [];
          const losses: number[] = [];
          await engine.call(
            "train",
            {
              text,
              kind: "gpt",
              steps,
              layers: 4,
              width: 128,
              heads: 4,
              blockSize,
              batchSize,
              lr: 1e-3,
              seed: 1337,
            },
            (p: { msPerStep: number; loss: number }) => {
              times.push(p.msPerStep);
              losses.push(p.loss);
            },
          );
          return { times, losses };
        },
        { text, steps: warmup + iters, blockSize: BLOCK, batchSize: BATCH },
      );
      const timed = steps.times.slice(warmup);
      return {
        msPerIter: median(timed),
        minMs: Math.min(...timed),
        maxMs: Math.max(...timed),
        firstLoss: steps.losses[0]!,
        lastLoss: steps.losses.at(-1)!,
      };
    };
    return { round, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** One record for `rounds`: the median of the rounds' medians, the extremes of all steps. */
function summary(rounds: readonly RoundTimes[]): RoundTimes {
  return {
    msPerIter: median(rounds.map((r) => r.msPerIter)),
    minMs: Math.min(...rounds.map((r) => r.minMs)),
    maxMs: Math.max(...rounds.map((r) => r.maxMs)),
    firstLoss: rounds[0]!.firstLoss,
    lastLoss: rounds[0]!.lastLoss,
  };
}

export const browserBench: Bench = {
  name: "browser",
  description: "baby GPT training step in headless Chromium (Web Workers) vs Node, wasm, same threads",
  async run(context) {
    const missing = chromiumMissing();
    if (missing) {
      context.emit({ bench: "browser", impl: "infiniset-chromium", skipped: missing });
      return;
    }
    const warmup = count(context.args, "--warmup", 3);
    const iters = count(context.args, "--iters", 12);
    const rounds = count(context.args, "--rounds", 3);
    const threads = context.threads;
    context.log(
      `baby GPT step, wasm, ${threads} thread(s), ${rounds} rounds of ${warmup} warm-up + ${iters} timed steps, Chromium and Node in turn`,
    );
    const page = await openInChromium(context, threads);
    const inChromium: RoundTimes[] = [];
    const inNode: RoundTimes[] = [];
    try {
      for (let r = 0; r < rounds; r++) {
        inChromium.push(await page.round(warmup, iters));
        inNode.push(timeInfinisetInChild("wasm", threads, "baby", warmup, iters));
        context.log(
          `round ${r + 1}: Chromium ${fmt(inChromium[r]!.msPerIter)} ms, Node ${fmt(inNode[r]!.msPerIter)} ms`,
        );
      }
    } finally {
      await page.close();
    }
    const ratios = inChromium.map((c, r) => c.msPerIter / inNode[r]!.msPerIter);
    for (const [impl, times] of [
      ["infiniset-chromium", summary(inChromium)],
      ["infiniset-node", summary(inNode)],
    ] as const) {
      context.emit({
        bench: "browser",
        impl,
        threads,
        rounds,
        ...times,
        tokensPerSec: tokensPerSec(times.msPerIter),
      });
    }
    context.emit({
      bench: "browser",
      impl: "ratio",
      threads,
      chromiumOverNode: median(ratios),
      // Each round's ratio, in order (a record holds scalars).
      roundRatios: ratios.map((x) => x.toFixed(3)).join(" "),
    });
  },
  render(records: BenchRecord[]) {
    const rows = records
      .filter((r) => r.impl !== "ratio")
      .map((r) =>
        r.skipped !== undefined
          ? [String(r.impl), "—", "—", "—", "—", String(r.skipped)]
          : [
              String(r.impl),
              String(r.threads),
              fmt(r.msPerIter as number),
              fmt(r.minMs as number),
              fmt(r.tokensPerSec as number),
              "",
            ],
      );
    const ratio = records.find((r) => r.impl === "ratio");
    return [
      formatTable(["impl", "threads", "ms/step (median)", "min ms", "tokens/s", "note"], rows),
      ratio
        ? `\nChromium / Node: ${fmt(ratio.chromiumOverNode as number)}× (the median of the rounds' ratios: ${ratio.roundRatios}; target: within 1.5×)`
        : "",
    ].join("\n");
  },
};

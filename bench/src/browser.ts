// browser: the baby GPT's training step (the `baby` preset: 4 layers, 4 heads, embedding 128,
// block 64, batch 12, Moby Dick's characters, AdamW with clipping) in headless Chromium —
// the playground's engine in a Web Worker on the wasm target's pool of Web Workers — beside
// the same step in Node on the wasm target with the same number of threads (train-gpt's
// child process).
//
//   npm run bench -- browser [--iters 20] [--warmup 3] [--threads N] [--json]
//
// The browser's figure is the median of the engine's own per-step times (batch, forward,
// backward, clip, update, loss read back), as the Train view shows them.
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

/** Step times of the baby GPT in the playground's engine, in Chromium, on `threads` threads. */
async function timeInChromium(context: BenchContext, threads: number, warmup: number, iters: number) {
  await buildPlayground();
  const { url, server } = await servePlayground();
  const browser = await launchChromium();
  try {
    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(`${url}?threads=${threads}`);
    await page.waitForSelector('[data-testid="status"][data-ready="true"]', { timeout: 60_000 });
    const status = (await page.textContent('[data-testid="status"]')) ?? "";
    context.log(`chromium: ${status}`);
    if (!status.includes(`on ${threads} thread`))
      throw new Error(`the engine did not take ${threads} threads: ${status}`);
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
      { text: loadMobyDick(), steps: warmup + iters, blockSize: BLOCK, batchSize: BATCH },
    );
    const timed = steps.times.slice(warmup);
    return {
      msPerIter: median(timed),
      minMs: Math.min(...timed),
      maxMs: Math.max(...timed),
      firstLoss: steps.losses[0]!,
      lastLoss: steps.losses.at(-1)!,
      userAgent: await page.evaluate(() => navigator.userAgent),
    };
  } finally {
    await browser.close();
    await server.close();
  }
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
    const iters = count(context.args, "--iters", 20);
    const threads = context.threads;
    context.log(`baby GPT step, wasm, ${threads} thread(s), ${warmup} warm-up + ${iters} timed steps`);
    const chromium = await timeInChromium(context, threads, warmup, iters);
    context.emit({
      bench: "browser",
      impl: "infiniset-chromium",
      threads,
      msPerIter: chromium.msPerIter,
      tokensPerSec: tokensPerSec(chromium.msPerIter),
      minMs: chromium.minMs,
      maxMs: chromium.maxMs,
      firstLoss: chromium.firstLoss,
      lastLoss: chromium.lastLoss,
    });
    const node = timeInfinisetInChild("wasm", threads, "baby", warmup, iters);
    context.emit({
      bench: "browser",
      impl: "infiniset-node",
      threads,
      msPerIter: node.msPerIter,
      tokensPerSec: tokensPerSec(node.msPerIter),
      minMs: node.minMs,
      maxMs: node.maxMs,
      firstLoss: node.firstLoss,
      lastLoss: node.lastLoss,
    });
    context.emit({
      bench: "browser",
      impl: "ratio",
      threads,
      chromiumOverNode: chromium.msPerIter / node.msPerIter,
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
      ratio ? `\nChromium / Node: ${fmt(ratio.chromiumOverNode as number)}× (target: within 1.5×)` : "",
    ].join("\n");
  },
};

// gpu: the webgpu target's figures on a machine with a GPU (run by bench/gpu/run.sh, which
// also runs PyTorch CUDA and the decode bench). One JSON object per line on stdout.
//
//   node bench/dist/gpu.js [--only gemm,gemv,train] [--target webgpu] [--quick]
//
// - gemm: C = A·B, 4096² float32, GFLOP/s (median of timed runs, each realised and synced).
// - gemv: y = x·W, 1×8192 · 8192×8192, GB/s of W read; beside it the device's copy
//   bandwidth (y = x·1 over 256 MiB, read + write), and the fraction GEMV reaches.
// - train: ms per training step of the GPT `small` preset (6 layers, 6 heads, 384 wide,
//   block 256, batch 12; dropout off on both sides, so that PyTorch does the same work),
//   a 65-character vocabulary, AdamW, clipping, the loss read back each step.
//   `--target native` times the same step on the CPU target (run.sh does both).
import { performance } from "node:perf_hooks";
import { manualSeed, randn, type Tensor, tensor, withTarget } from "../../dist/src/index.js";
import { SeededRng } from "../../dist/src/random/seeded-rng.js";
import { getTarget } from "../../dist/src/targets/index.js";
import {
  GPT_FAMILY,
  type GptTrainingSettings,
  gptConfigFor,
  presetSettings,
} from "../../dist/src/train/gpt-settings.js";
import { createLanguageModelOptimizer } from "../../dist/src/train/language-model-settings.js";

const args = process.argv.slice(2);
const option = (name: string) => {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args[at + 1];
};
const quick = args.includes("--quick");
const only = option("--only")?.split(",") ?? ["gemm", "gemv", "train"];
const targetName = option("--target") ?? "webgpu";
const target = getTarget(targetName);
const impl = `infiniset-${targetName}`;

function emit(record: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...record, impl })}\n`);
}

/** Waits until the device has computed `t` (reads one element of it). */
function sync(t: Tensor): void {
  t.reshape([-1]).slice([0], [1]).dataSync();
}

/** Median milliseconds of `runs` timed calls of `f` (after `warmup` untimed ones). */
function median(f: () => void, runs: number, warmup = 2): number {
  for (let i = 0; i < warmup; i++) f();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    f();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1]!;
}

function gemm(): void {
  const n = quick ? 256 : 4096;
  withTarget(target, () => {
    const a = randn([n, n], { seed: 1 });
    const b = randn([n, n], { seed: 2 });
    sync(a.add(b));
    const ms = median(() => {
      const c = a.matmul(b);
      sync(c);
      c.dispose();
    }, 10);
    emit({ figure: "gemm", n, ms, gflops: (2 * n ** 3) / (ms * 1e6) });
  });
}

function gemv(): void {
  const n = quick ? 512 : 8192;
  withTarget(target, () => {
    const w = randn([n, n], { seed: 3 });
    const x = randn([1, n], { seed: 4 });
    sync(w.add(x));
    const gemvMs = median(() => {
      const y = x.matmul(w);
      sync(y);
      y.dispose();
    }, 20);
    const copyMs = median(() => {
      const y = w.mul(1.0001);
      sync(y);
      y.dispose();
    }, 20);
    const bytes = n * n * 4;
    const copyGbps = (2 * bytes) / (copyMs * 1e6);
    const gemvGbps = bytes / (gemvMs * 1e6);
    emit({ figure: "copy", bytes, ms: copyMs, gbps: copyGbps });
    emit({
      figure: "gemv",
      shape: `1x${n}x${n}`,
      ms: gemvMs,
      gbps: gemvGbps,
      fractionOfCopy: gemvGbps / copyGbps,
    });
  });
}

/** The `small` GPT preset (nanoGPT's character model), on synthetic character data. */
function train(): void {
  // --quick: a sliver of it, for checking the script on a CPU implementation of WebGPU.
  const small = presetSettings("small");
  const settings: GptTrainingSettings = quick
    ? { ...small, nLayer: 1, nHead: 2, nEmbd: 32, blockSize: 16, batchSize: 2, dropout: 0 }
    : { ...small, dropout: 0 };
  const vocab = 65;
  withTarget(target, () => {
    const model = GPT_FAMILY.create(gptConfigFor(settings, vocab), "gpt", 1337);
    const optimizer = createLanguageModelOptimizer(model.parameters(), GPT_FAMILY.decays(model), settings);
    model.train(true);
    const rng = new SeededRng(1);
    const batch = () => {
      const { batchSize: b, blockSize: t } = settings;
      const ids = Int32Array.from({ length: b * t }, () => rng.nextUint32() % vocab);
      const targets = Int32Array.from({ length: b * t }, () => rng.nextUint32() % vocab);
      return { ids: tensor(ids).reshape([b, t]), targets: tensor(targets).reshape([b, t]) };
    };
    let loss = 0;
    const ms = median(
      () => {
        manualSeed(rng.nextUint32());
        const { ids, targets } = batch();
        loss = optimizer.stepOn(model.loss(ids, targets), { clipNorm: 1 }).loss;
      },
      quick ? 3 : 10,
      3,
    );
    const tokens = settings.batchSize * settings.blockSize;
    emit({
      figure: "train-gpt-small",
      batch: settings.batchSize,
      block: settings.blockSize,
      ms,
      tokensPerSecond: (tokens / ms) * 1000,
      loss,
    });
  });
}

const figures: Record<string, () => void> = { gemm, gemv, train };
for (const name of only) {
  const figure = figures[name];
  if (!figure) throw new Error(`gpu bench: no figure "${name}" (gemm, gemv, train)`);
  try {
    figure();
  } catch (error) {
    emit({ figure: name, error: (error as Error).message.split("\n")[0] });
  }
}

// fusion: a transformer MLP block — layer norm → matmul (+bias) → GELU → matmul (+bias) →
// residual add — compiled with fusion and without, on infiniset's wasm target: kernel
// count and time, and the ratio between them.
import {
  availableTargets,
  createNativeTarget,
  createWasmTarget,
  randn,
  type Target,
  Tensor,
  withTarget,
} from "../../dist/src/index.js";
import type { Bench, BenchContext, BenchRecord } from "./report.js";
import { fmt, formatTable } from "./report.js";
import { medianMs } from "./timing.js";

const TOKENS = 768;
const WIDTH = 128;

function mlpBlock(x: Tensor, p: Record<string, Tensor>): Tensor {
  const n = x.sub(x.mean(1, true)).div(x.variance(1, true).add(1e-5).sqrt());
  const h = n.mul(p.gamma!).add(p.beta!).matmul(p.w1!).add(p.b1!).gelu();
  return h.matmul(p.w2!).add(p.b2!).add(x);
}

export const fusion: Bench = {
  name: "fusion",
  description: `layer norm → matmul → GELU → matmul → residual (${TOKENS}×${WIDTH}), fused vs not: kernels and time`,
  async run(context: BenchContext) {
    const x = randn([TOKENS, WIDTH], { seed: 1 });
    const p = {
      gamma: randn([WIDTH], { seed: 2 }),
      beta: randn([WIDTH], { seed: 3 }),
      w1: randn([WIDTH, 4 * WIDTH], { seed: 4 }).mul(0.05),
      b1: randn([4 * WIDTH], { seed: 5 }),
      w2: randn([4 * WIDTH, WIDTH], { seed: 6 }).mul(0.05),
      b2: randn([WIDTH], { seed: 7 }),
    };
    Tensor.realize(x, ...Object.values(p));
    const makers: [string, (fuse: boolean) => Target][] = [
      [
        "wasm",
        (fuse) => createWasmTarget({ name: fuse ? "wasm" : "wasm-unfused", threads: context.threads, fuse }),
      ],
    ];
    if (availableTargets().some((t) => t.name === "native")) {
      makers.push([
        "native",
        (fuse) =>
          createNativeTarget({
            name: fuse ? "native-fused" : "native-unfused",
            threads: context.threads,
            fuse,
          }),
      ]);
    }
    for (const [kind, make] of makers) {
      for (const fuse of [true, false]) {
        const target = make(fuse);
        const explanation = withTarget(target, () => Tensor.explain([mlpBlock(x, p)], { runs: 1 }));
        const ms = await medianMs(() => withTarget(target, () => mlpBlock(x, p).dataSync()), { minMs: 600 });
        context.emit({
          bench: "fusion",
          impl: `infiniset-${kind}-${fuse ? "fused" : "unfused"}`,
          threads: context.threads,
          instructions: explanation.instructions,
          kernels: explanation.profile.kernels.length,
          ms,
        });
        context.log(
          `${kind} ${fuse ? "fused" : "unfused"}: ${explanation.profile.kernels.length} kernels, ${fmt(ms)} ms`,
        );
      }
    }
  },
  render(records: BenchRecord[]) {
    const rows = records.map((r) => [
      String(r.impl),
      Number(r.threads),
      Number(r.instructions),
      Number(r.kernels),
      fmt(Number(r.ms)),
      ratioToFused(records, r),
    ]);
    return formatTable(["impl", "threads", "instructions", "kernels", "ms", "time ÷ fused"], rows);
  },
};

/** This row's time over the fused row of the same target. */
function ratioToFused(records: BenchRecord[], r: BenchRecord): string {
  const kind = String(r.impl).replace(/-(un)?fused$/, "");
  const fused = records.find((o) => o.impl === `${kind}-fused`);
  return fused ? `${fmt(Number(r.ms) / Number(fused.ms))}×` : "—";
}

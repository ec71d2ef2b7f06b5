// fusion: two blocks compiled with fusion and without, on each target with generated kernels
// (wasm, native): kernel count, time, and the ratio between them.
//
// - "mlp": a transformer MLP block of 768×128 — layer norm → matmul (+bias) → GELU → matmul
//   (+bias) → residual add — bound by its two matrix products.
// - "softmax-norm-gelu": no matrix product — a causal attention softmax over scores
//   [8 heads, 256, 256] (scale, mask, max, exp, sum, divide) and a layer norm with affine
//   parameters and GELU over a wide activation [1024, 1024]: bound by memory traffic, which
//   fusion removes (each intermediate result unfused is a round trip through memory).
import {
  availableTargets,
  createNativeTarget,
  createWasmTarget,
  randn,
  type Target,
  Tensor,
  tensor,
  withTarget,
} from "../../dist/src/index.js";
import type { Bench, BenchContext, BenchRecord } from "./report.js";
import { fmt, formatTable } from "./report.js";
import { residentOn } from "./resident.js";
import { medianMs } from "./timing.js";

const TOKENS = 768;
const WIDTH = 128;
const HEADS = 8;
const CONTEXT = 256;
const WIDE = 1024;

function mlpBlock(x: Tensor, p: Record<string, Tensor>): Tensor {
  const n = x.sub(x.mean(1, true)).div(x.variance(1, true).add(1e-5).sqrt());
  const h = n.mul(p.gamma!).add(p.beta!).matmul(p.w1!).add(p.b1!).gelu();
  return h.matmul(p.w2!).add(p.b2!).add(x);
}

function softmaxNormGelu(x: Tensor, p: Record<string, Tensor>): Tensor[] {
  const probabilities = p.scores!.mul(0.125).add(p.mask!).softmax(-1);
  const n = x.sub(x.mean(1, true)).div(x.variance(1, true).add(1e-5).sqrt());
  return [probabilities, n.mul(p.gamma!).add(p.beta!).gelu()];
}

interface Block {
  readonly name: string;
  readonly description: string;
  readonly x: Tensor;
  readonly params: Record<string, Tensor>;
  readonly run: (x: Tensor, p: Record<string, Tensor>) => Tensor[];
}

function blocks(): Block[] {
  const causal = new Float32Array(CONTEXT * CONTEXT);
  for (let i = 0; i < CONTEXT; i++)
    for (let j = i + 1; j < CONTEXT; j++) causal[i * CONTEXT + j] = Number.NEGATIVE_INFINITY;
  return [
    {
      name: "mlp",
      description: `layer norm → matmul → GELU → matmul → residual (${TOKENS}×${WIDTH})`,
      x: randn([TOKENS, WIDTH], { seed: 1 }),
      params: {
        gamma: randn([WIDTH], { seed: 2 }),
        beta: randn([WIDTH], { seed: 3 }),
        w1: randn([WIDTH, 4 * WIDTH], { seed: 4 }).mul(0.05),
        b1: randn([4 * WIDTH], { seed: 5 }),
        w2: randn([4 * WIDTH, WIDTH], { seed: 6 }).mul(0.05),
        b2: randn([WIDTH], { seed: 7 }),
      },
      run: (x, p) => [mlpBlock(x, p)],
    },
    {
      name: "softmax-norm-gelu",
      description: `causal softmax [${HEADS}, ${CONTEXT}, ${CONTEXT}], layer norm + GELU [${WIDE}, ${WIDE}]`,
      x: randn([WIDE, WIDE], { seed: 8 }),
      params: {
        scores: randn([HEADS, CONTEXT, CONTEXT], { seed: 9 }),
        mask: tensor(causal, [CONTEXT, CONTEXT]),
        gamma: randn([WIDE], { seed: 10 }),
        beta: randn([WIDE], { seed: 11 }),
      },
      run: softmaxNormGelu,
    },
  ];
}

export const fusion: Bench = {
  name: "fusion",
  description:
    "an MLP block (matmul-bound) and softmax + layer norm + GELU (memory-bound), fused vs not: kernels and time",
  async run(context: BenchContext) {
    const all = blocks();
    for (const b of all) Tensor.realize(b.x, ...Object.values(b.params));
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
    for (const block of all) {
      for (const [kind, make] of makers) {
        for (const fuse of [true, false]) {
          const target = make(fuse);
          // The block's inputs kept on this target, as a model's activations and weights are.
          const x = residentOn(target, block.x);
          const params = Object.fromEntries(
            Object.entries(block.params).map(([name, t]) => [name, residentOn(target, t)]),
          );
          const explanation = withTarget(target, () => Tensor.explain(block.run(x, params), { runs: 1 }));
          const ms = await medianMs(
            () =>
              withTarget(target, () => {
                const outputs = block.run(x, params);
                Tensor.realize(...outputs);
                for (const o of outputs) o.dispose();
              }),
            { minMs: 600 },
          );
          context.emit({
            bench: "fusion",
            block: block.name,
            impl: `infiniset-${kind}-${fuse ? "fused" : "unfused"}`,
            threads: context.threads,
            instructions: explanation.instructions,
            kernels: explanation.profile.kernels.length,
            ms,
          });
          context.log(
            `${block.name}, ${kind} ${fuse ? "fused" : "unfused"}: ${explanation.profile.kernels.length} kernels, ${fmt(ms)} ms`,
          );
        }
      }
    }
  },
  render(records: BenchRecord[]) {
    const rows = records.map((r) => [
      String(r.block),
      String(r.impl),
      Number(r.threads),
      Number(r.instructions),
      Number(r.kernels),
      fmt(Number(r.ms)),
      ratioToFused(records, r),
    ]);
    return formatTable(["block", "impl", "threads", "instructions", "kernels", "ms", "time ÷ fused"], rows);
  },
};

/** This row's time over the fused row of the same target. */
function ratioToFused(records: BenchRecord[], r: BenchRecord): string {
  const kind = String(r.impl).replace(/-(un)?fused$/, "");
  const fused = records.find((o) => o.impl === `${kind}-fused` && o.block === r.block);
  return fused ? `${fmt(Number(r.ms) / Number(fused.ms))}×` : "—";
}

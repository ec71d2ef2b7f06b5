// overhead: what running a program costs beyond its arithmetic, per target and thread count.
//
// - "tiny program, end to end": one elementwise kernel on 16 floats through the whole stack
//   (building the graph, finding the cached program, copies in and out, the run).
// - "per kernel, 100-kernel program": a compiled program of 100 small reduction kernels
//   ([64, 64]: x + Σ x over the row, a hundred times) run directly on the target, divided
//   by 100: what each kernel costs inside one run.
// - "per program, 1-kernel program ×100": one such kernel as its own program, run 100
//   times: what each run costs.
// On N threads every kernel is split across the threads, however small (the targets'
// `parallelWork: 1`), so the figures are the pool's cost of handing out work; the kernels'
// own arithmetic (~4,096 additions) is a small part of them.
import { captureGraph } from "../../dist/src/compiler/capture.js";
import { compileCached } from "../../dist/src/compiler/compile.js";
import type { Program } from "../../dist/src/compiler/program.js";
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
import type { HostArray } from "../../dist/src/ir/dtype.js";
import type { Node } from "../../dist/src/ir/node.js";
import { toHost } from "../../dist/src/ir/storage.js";
import type { Bench, BenchContext, BenchRecord } from "./report.js";
import { fmt, formatTable } from "./report.js";
import { medianMs } from "./timing.js";

const KERNELS = 100;

function makeTarget(kind: string, threads: number): Target {
  const name = `${kind}-${threads}`;
  return kind === "wasm"
    ? createWasmTarget({ name, threads, parallelWork: 1 })
    : createNativeTarget({ name, threads, parallelWork: { elements: 1, multiplyAdds: 1 } });
}

/** The program computing `tensors` on `target`, and its inputs, compiled once. */
function compiled(target: Target, tensors: Tensor[]): { program: Program; inputs: HostArray[] } {
  const graph = captureGraph(tensors.map((t) => (t as unknown as { node: Node }).node));
  const program = compileCached(graph, target);
  return { program, inputs: graph.inputs.map((n) => toHost(n.buffer!)) };
}

/** x + Σ_row x, `count` times: one reduction kernel each. */
function chain(x: Tensor, count: number): Tensor {
  let y = x;
  for (let i = 0; i < count; i++) y = y.add(y.sum(1, true)).mul(1e-3);
  return y;
}

export const overhead: Bench = {
  name: "overhead",
  description:
    "cost of a run beyond its arithmetic: a tiny program end to end, per kernel inside a 100-kernel program, per 1-kernel program",
  async run(context: BenchContext) {
    const kinds = ["wasm", ...(availableTargets().some((t) => t.name === "native") ? ["native"] : [])];
    const tiny = tensor(new Float32Array(16).fill(1));
    const x = randn([64, 64], { seed: 1 });
    Tensor.realize(x);
    for (const kind of kinds) {
      for (const threads of [...new Set([1, context.threads])]) {
        const target = makeTarget(kind, threads);
        const record = (what: string, us: number) => {
          context.emit({ bench: "overhead", impl: `infiniset-${kind}`, threads, what, us });
          context.log(`${kind}, ${threads} thread(s), ${what}: ${fmt(us)} µs`);
        };
        const end = () => withTarget(target, () => tiny.mul(2).add(1).dataSync());
        record(
          "tiny program, end to end",
          ((await medianMs(
            () => {
              for (let i = 0; i < 200; i++) end();
            },
            { minMs: 400, warmup: 2 },
          )) *
            1000) /
            200,
        );
        const long = compiled(target, [chain(x, KERNELS)]);
        const kernels = withTarget(target, () => Tensor.explain([chain(x, KERNELS)], { runs: 1 })).profile
          .kernels.length;
        if (kernels !== KERNELS) throw new Error(`overhead: the chain compiled to ${kernels} kernels`);
        record(
          `per kernel, ${KERNELS}-kernel program`,
          ((await medianMs(() => target.run(long.program, long.inputs), { minMs: 400, warmup: 3 })) * 1000) /
            KERNELS,
        );
        const one = compiled(target, [chain(x, 1)]);
        record(
          `per program, 1-kernel program ×${KERNELS}`,
          ((await medianMs(
            () => {
              for (let i = 0; i < KERNELS; i++) target.run(one.program, one.inputs);
            },
            { minMs: 400, warmup: 3 },
          )) *
            1000) /
            KERNELS,
        );
      }
    }
  },
  render(records: BenchRecord[]) {
    return formatTable(
      ["impl", "threads", "what", "µs"],
      records.map((r) => [String(r.impl), Number(r.threads), String(r.what), fmt(Number(r.us))]),
    );
  },
};

// overhead: the cost of running a tiny program (one elementwise kernel on 16 floats) end to
// end — building the graph, finding the cached program, copying in and out, launching —
// with 1 thread and with N, next to the time of an empty JavaScript call.
import { createWasmTarget, tensor, withTarget } from "../../dist/src/index.js";
import type { Bench, BenchContext, BenchRecord } from "./report.js";
import { fmt, formatTable } from "./report.js";
import { medianMs } from "./timing.js";

export const overhead: Bench = {
  name: "overhead",
  description: "time per launch of a tiny kernel, 1 thread and N (graph, cache lookup, copies, launch)",
  async run(context: BenchContext) {
    const x = tensor(new Float32Array(16).fill(1));
    for (const threads of [...new Set([1, context.threads])]) {
      const target = createWasmTarget({ name: `wasm-${threads}`, threads });
      const run = () => withTarget(target, () => x.mul(2).add(1).dataSync());
      // Per call: the median of batches of 200 calls, divided by 200.
      const ms =
        (await medianMs(
          () => {
            for (let i = 0; i < 200; i++) run();
          },
          { minMs: 600, warmup: 2 },
        )) / 200;
      context.emit({ bench: "overhead", impl: "infiniset-wasm", threads, usPerLaunch: ms * 1000 });
      context.log(`${threads} thread(s): ${fmt(ms * 1000)} µs per launch`);
    }
  },
  render(records: BenchRecord[]) {
    return formatTable(
      ["impl", "threads", "µs per launch"],
      records.map((r) => [String(r.impl), Number(r.threads), fmt(Number(r.usPerLaunch))]),
    );
  },
};

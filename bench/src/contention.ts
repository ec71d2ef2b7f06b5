// contention: GEMM 1024² and the fused MLP block with 1 thread and with N threads, while
// another process keeps one core busy (the bench starts that load itself and stops it).
// Dynamic tile scheduling is meant to keep N threads from ever being slower than 1 when a
// thread has no core; peers that wait for each other at barriers are printed beside.
import { type ChildProcess, spawn } from "node:child_process";
import {
  availableTargets,
  createWasmTarget,
  randn,
  type Target,
  Tensor,
  withTarget,
} from "../../dist/src/index.js";
import { matmulModel } from "./onnx-model.js";
import { loadOrt } from "./peers.js";
import type { Bench, BenchContext, BenchRecord } from "./report.js";
import { fmt, formatTable } from "./report.js";
import { medianMs } from "./timing.js";

/** A busy loop in another process, for at most `seconds`. */
function startLoad(seconds: number): ChildProcess {
  const child = spawn(
    process.execPath,
    ["-e", `const end = Date.now() + ${seconds * 1000}; while (Date.now() < end) {}`],
    {
      stdio: "ignore",
    },
  );
  child.unref();
  return child;
}

async function targetsFor(threads: number): Promise<Target[]> {
  const out: Target[] = [createWasmTarget({ name: `wasm-${threads}t`, threads })];
  if (availableTargets().some((t) => t.name === "native")) {
    const native = await import("../../dist/src/targets/native/native-target.js").catch(() => undefined);
    const create = (
      native as { createNativeTarget?: (o: { name: string; threads: number }) => Target } | undefined
    )?.createNativeTarget;
    if (create) out.push(create({ name: `native-${threads}t`, threads }));
  }
  return out;
}

export const contention: Bench = {
  name: "contention",
  description: "GEMM 1024² and the fused MLP block, 1 vs N threads, while another process keeps a core busy",
  async run(context: BenchContext) {
    const n = Math.max(2, context.threads);
    const load = startLoad(120);
    try {
      await new Promise((r) => setTimeout(r, 200));
      const a = randn([1024, 1024], { seed: 1 });
      const b = randn([1024, 1024], { seed: 2 });
      const x = randn([768, 128], { seed: 3 });
      const w1 = randn([128, 512], { seed: 4 }).mul(0.05);
      const w2 = randn([512, 128], { seed: 5 }).mul(0.05);
      Tensor.realize(a, b, x, w1, w2);
      const block = () =>
        x.sub(x.mean(1, true)).div(x.variance(1, true).add(1e-5).sqrt()).matmul(w1).gelu().matmul(w2).add(x);
      for (const threads of [1, n]) {
        for (const target of await targetsFor(threads)) {
          const kind = target.name.split("-")[0]!;
          for (const [work, run] of [
            ["gemm 1024²", () => a.matmul(b).dataSync()],
            ["fused block", () => block().dataSync()],
          ] as const) {
            context.log(`${kind} ${work}, ${threads} thread(s)`);
            const ms = await medianMs(() => withTarget(target, run), { minMs: 800 });
            context.emit({ bench: "contention", impl: `infiniset-${kind}`, work, threads, ms });
          }
        }
      }
      const ort = await loadOrt();
      if (ort.ok) {
        const { InferenceSession, Tensor: OrtTensor } = ort.value;
        const data = new Float32Array(1024 * 1024).fill(0.5);
        for (const threads of [1, n]) {
          context.log(`onnxruntime-node gemm 1024², ${threads} thread(s)`);
          const session = await InferenceSession.create(matmulModel(1024, 1024, 1024), {
            intraOpNumThreads: threads,
            interOpNumThreads: 1,
            executionMode: "sequential",
          });
          const feeds = {
            A: new OrtTensor("float32", data, [1024, 1024]),
            B: new OrtTensor("float32", data, [1024, 1024]),
          };
          const ms = await medianMs(() => session.run(feeds), { minMs: 800 });
          await session.release();
          context.emit({ bench: "contention", impl: "onnxruntime-node", work: "gemm 1024²", threads, ms });
        }
      } else {
        context.log(`onnxruntime-node skipped: ${ort.note}`);
      }
    } finally {
      load.kill();
    }
  },
  render(records: BenchRecord[]) {
    const rows = records.map((r) => {
      const one = records.find((o) => o.impl === r.impl && o.work === r.work && o.threads === 1);
      return [
        String(r.impl),
        String(r.work),
        Number(r.threads),
        fmt(Number(r.ms)),
        one ? `${fmt(Number(one.ms) / Number(r.ms))}×` : "—",
      ];
    });
    return [
      "with another process keeping one core busy:",
      formatTable(["impl", "work", "threads", "ms", "speed ÷ 1 thread"], rows),
    ].join("\n");
  },
};

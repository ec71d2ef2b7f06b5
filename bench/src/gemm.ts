// gemm: float32 GFLOP/s of C = A·B for square and LLM-shaped matrices, on infiniset's targets (1 and N
// threads), GEMV as a fraction of memory bandwidth, the native target's start-up with its cache,
// and on the peers, with the machine's WebAssembly SIMD peak beside them.
//
//   npm run bench -- gemm [--sizes 128,256,512,1x768x3072] [--threads N [--only-threads]]
//                         [--impls infiniset,tfjs,onnxruntime,pytorch] [--min-ms MS] [--json]
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import {
  availableTargets,
  createNativeTarget,
  createWasmTarget,
  type Target,
  tensor,
  withTarget,
} from "../../dist/src/index.js";
import { memoryReadBandwidth } from "./memory-bandwidth.js";
import { nativeStartupMs } from "./native-startup.js";
import { matmulModel } from "./onnx-model.js";
import { loadOrt, loadTfjs, probeTorch } from "./peers.js";
import { type Bench, type BenchContext, type BenchRecord, fmt, formatTable } from "./report.js";
import { residentOn } from "./resident.js";
import { medianMs } from "./timing.js";
import { simdPeaks } from "./wasm-peak.js";

interface Shape {
  m: number;
  k: number;
  n: number;
}

const DEFAULT_SIZES = "128,256,512";
/** `ref` interprets matmul in plain TypeScript (about 0.1 GFLOP/s, 0.4 s at 256²): larger shapes are skipped. */
const REF_MAX_SIDE = 256;

function parseShapes(text: string): Shape[] {
  return text.split(",").map((item) => {
    const parts = item.trim().split("x").map(Number);
    const [m, k, n] = parts.length === 1 ? [parts[0]!, parts[0]!, parts[0]!] : parts;
    if (parts.length !== 1 && parts.length !== 3)
      throw new Error(`gemm: bad size "${item}" (use N or MxKxN)`);
    if (![m, k, n].every((v) => Number.isInteger(v) && v! > 0)) throw new Error(`gemm: bad size "${item}"`);
    return { m: m!, k: k!, n: n! };
  });
}

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = args[at + 1];
  if (value === undefined || value.startsWith("--")) throw new Error(`gemm: ${name} needs a value`);
  return value;
}

/** Values in [-0.5, 0.5) from a fixed linear congruential sequence: the same inputs for every implementation. */
function randomMatrix(rows: number, cols: number, seed: number): Float32Array {
  const out = new Float32Array(rows * cols);
  let state = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 32 - 0.5;
  }
  return out;
}

/**
 * Checks row 0 and the last row of C against float64 dot products, so a figure is never
 * reported for a wrong result. Throws with the implementation's name.
 */
function checkProduct(impl: string, shape: Shape, c: ArrayLike<number>): void {
  const { m, k, n } = shape;
  const a = randomMatrix(m, k, 1);
  const b = randomMatrix(k, n, 2);
  if (c.length !== m * n) throw new Error(`gemm: ${impl} returned ${c.length} values for ${m}×${n}`);
  for (const row of new Set([0, m - 1])) {
    for (let col = 0; col < n; col++) {
      let sum = 0;
      for (let i = 0; i < k; i++) sum += a[row * k + i]! * b[i * n + col]!;
      const got = c[row * n + col]!;
      if (!(Math.abs(got - sum) <= 1e-4 * k)) {
        throw new Error(`gemm: ${impl} ${label(shape)} gives C[${row},${col}] = ${got}, expected ${sum}`);
      }
    }
  }
}

const gflops = ({ m, k, n }: Shape, ms: number) => (2 * m * k * n) / (ms * 1e6);
/** A one-row product reads B once: its speed is B's bytes per second. */
const weightGBps = ({ k, n }: Shape, ms: number) => (4 * k * n) / (ms * 1e6);

/** The registered target, or one like it with its own thread count (wasm and native have pools). */
const threaded = new Map<string, Target>();
function withThreads(target: Target, threads: number): Target {
  const make =
    target.name === "wasm" ? createWasmTarget : target.name === "native" ? createNativeTarget : undefined;
  if (!make) return target;
  const key = `${target.name}/${threads}`;
  let t = threaded.get(key);
  if (!t) {
    t = make({ name: target.name, threads });
    threaded.set(key, t);
  }
  return t;
}
const label = ({ m, k, n }: Shape) => (m === k && k === n ? `${m}²` : `${m}×${k}×${n}`);

async function runGemm(context: BenchContext): Promise<void> {
  const { args, threads } = context;
  const shapes = parseShapes(option(args, "--sizes") ?? DEFAULT_SIZES);
  const minMs = Number(option(args, "--min-ms") ?? 400);
  // --only-threads: the --threads count alone, without 1 beside it (bench/scaling.sh runs 1 on its own).
  const threadCounts = threads > 1 && !args.includes("--only-threads") ? [1, threads] : [threads];
  // --impls infiniset,pytorch: which implementations (default all; TF.js's plain-JS backend
  // takes minutes on 2048²).
  const impls = (option(args, "--impls") ?? "infiniset,tfjs,onnxruntime,pytorch").split(",");
  const wanted = (impl: string) => impls.includes(impl);
  const record = (impl: string, shape: Shape, used: number, ms: number, extra: Partial<BenchRecord> = {}) =>
    context.emit({
      bench: "gemm",
      impl,
      ...shape,
      threads: used,
      gflops: gflops(shape, ms),
      ms,
      ...(shape.m === 1 ? { gbps: weightGBps(shape, ms) } : {}),
      ...extra,
    });
  const skip = (impl: string, note: string) => {
    context.emit({ bench: "gemm", impl, skipped: note });
    context.log(`${impl}: ${note}`);
  };
  // One implementation failing on one shape (a bug, a peer that will not start) is a note, not the end of the run.
  const guarded = async (impl: string, shape: Shape, body: () => Promise<void>) => {
    try {
      await body();
    } catch (error) {
      skip(impl, `${label(shape)} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  if (shapes.some((s) => s.m === 1)) {
    context.log("measuring the memory read bandwidth");
    context.emit({ bench: "gemm", impl: "memory-read-bandwidth", threads: 1, gbps: memoryReadBandwidth() });
  }
  if (wanted("infiniset") && availableTargets().some((t) => t.name === "native")) {
    context.log("measuring the native target's start-up, with an empty and with a filled kernel cache");
    const dist = new URL("../../dist/src/index.js", import.meta.url).href;
    const { coldMs, warmMs } = nativeStartupMs(dist);
    context.emit({ bench: "gemm", impl: "infiniset-native-startup", coldMs, warmMs });
  }

  context.log("measuring the WebAssembly SIMD peak");
  for (const peak of await simdPeaks(threads)) {
    context.emit({
      bench: "gemm",
      impl: "wasm-simd-peak",
      op: peak.op,
      threads: peak.threads,
      gflops: peak.gflops,
      note: peak.note,
    });
  }

  // infiniset: every registered target, on 1 and N threads where it has a thread pool.
  for (const registered of wanted("infiniset") ? availableTargets() : []) {
    const impl = `infiniset-${registered.name}`;
    for (const used of registered.name === "ref" ? [1] : threadCounts) {
      const target = withThreads(registered, used);
      for (const shape of shapes) {
        if (registered.name === "ref" && shape.m * shape.k * shape.n > REF_MAX_SIDE ** 3) {
          skip(
            impl,
            `${label(shape)} skipped: ref is an interpreter, capped at ${REF_MAX_SIDE}³ multiply-adds`,
          );
          continue;
        }
        context.log(`${impl} ${label(shape)} ${used} thread(s)`);
        await guarded(impl, shape, async () => {
          const a = residentOn(target, tensor(randomMatrix(shape.m, shape.k, 1), [shape.m, shape.k]));
          const b = residentOn(target, tensor(randomMatrix(shape.k, shape.n, 2), [shape.k, shape.n]));
          try {
            checkProduct(
              impl,
              shape,
              withTarget(target, () => a.matmul(b).dataSync()),
            );
            const slow = registered.name === "ref";
            const ms = await medianMs(() => withTarget(target, () => a.matmul(b).dataSync()), {
              minMs: slow ? Math.min(minMs, 200) : minMs,
              warmup: 1,
            });
            record(impl, shape, used, ms);
          } finally {
            a.dispose();
            b.dispose();
          }
        });
      }
    }
  }

  // TensorFlow.js: wasm backend (threads as tfjs sets them; 1 in Node) and the plain-JS cpu backend.
  const tfjs = wanted("tfjs") ? await loadTfjs() : { ok: false as const, note: "not asked for (--impls)" };
  if (!tfjs.ok) {
    skip("tfjs-wasm", tfjs.note);
    skip("tfjs-cpu", tfjs.note);
  } else {
    const { tf, wasmThreads } = tfjs.value;
    for (const backend of ["wasm", "cpu"]) {
      const impl = `tfjs-${backend}`;
      let ready = false;
      try {
        ready = await tf.setBackend(backend);
        await tf.ready();
      } catch (error) {
        skip(impl, `backend failed to start: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      if (!ready) {
        skip(impl, "backend failed to start");
        continue;
      }
      for (const shape of shapes) {
        context.log(`${impl} ${label(shape)}`);
        await guarded(impl, shape, async () => {
          const a = tf.tensor2d(randomMatrix(shape.m, shape.k, 1), [shape.m, shape.k], "float32");
          const b = tf.tensor2d(randomMatrix(shape.k, shape.n, 2), [shape.k, shape.n], "float32");
          try {
            const check = tf.matMul(a, b);
            checkProduct(impl, shape, check.dataSync());
            check.dispose();
            const ms = await medianMs(
              () => {
                const c = tf.matMul(a, b);
                c.dataSync();
                c.dispose();
              },
              { minMs },
            );
            record(impl, shape, backend === "wasm" ? wasmThreads : 1, ms);
          } finally {
            a.dispose();
            b.dispose();
          }
        });
      }
    }
  }

  // onnxruntime-node: a one-node MatMul model built in memory (src/onnx-model.ts), both operands as inputs.
  const ort = wanted("onnxruntime")
    ? await loadOrt()
    : { ok: false as const, note: "not asked for (--impls)" };
  if (!ort.ok) {
    skip("onnxruntime-node", ort.note);
  } else {
    const { InferenceSession, Tensor } = ort.value;
    for (const used of threadCounts) {
      for (const shape of shapes) {
        context.log(`onnxruntime-node ${label(shape)} ${used} thread(s)`);
        await guarded("onnxruntime-node", shape, async () => {
          const session = await InferenceSession.create(matmulModel(shape.m, shape.k, shape.n), {
            intraOpNumThreads: used,
            interOpNumThreads: 1,
            executionMode: "sequential",
            graphOptimizationLevel: "all",
          });
          try {
            const feeds = {
              A: new Tensor("float32", randomMatrix(shape.m, shape.k, 1), [shape.m, shape.k]),
              B: new Tensor("float32", randomMatrix(shape.k, shape.n, 2), [shape.k, shape.n]),
            };
            checkProduct("onnxruntime-node", shape, (await session.run(feeds)).Y!.data as Float32Array);
            const ms = await medianMs(() => session.run(feeds), { minMs });
            record("onnxruntime-node", shape, used, ms);
          } finally {
            await session.release();
          }
        });
      }
    }
  }

  // PyTorch through Debian's python3 (bench/pytorch/gemm.py), when `import torch` works.
  const torch = wanted("pytorch") ? probeTorch() : { ok: false as const, note: "not asked for (--impls)" };
  if (!torch.ok) {
    skip("pytorch", torch.note);
  } else {
    const script = fileURLToPath(new URL("../pytorch/gemm.py", import.meta.url));
    for (const used of threadCounts) {
      context.log(`pytorch ${torch.value.version}, ${used} thread(s)`);
      const child = spawnSync(
        torch.value.python,
        [
          script,
          "--threads",
          String(used),
          "--min-ms",
          String(minMs),
          ...shapes.map((s) => `${s.m}x${s.k}x${s.n}`),
        ],
        {
          encoding: "utf8",
          timeout: 600_000,
          // Debian's torch drives OpenBLAS as a generic BLAS: torch.set_num_threads does not
          // reach it, so its thread count is set here, before python loads it.
          env: { ...process.env, OPENBLAS_NUM_THREADS: String(used), OMP_NUM_THREADS: String(used) },
        },
      );
      if (child.status !== 0) {
        skip(
          "pytorch",
          `bench/pytorch/gemm.py failed: ${(child.stderr || String(child.error)).trim().split("\n").pop()}`,
        );
        continue;
      }
      for (const line of child.stdout.trim().split("\n")) {
        const r = JSON.parse(line) as Shape & { threads: number; ms: number };
        record("pytorch", { m: r.m, k: r.k, n: r.n }, r.threads, r.ms);
      }
    }
  }
}

function renderGemm(records: BenchRecord[]): string {
  const lines: string[] = [];
  const special = new Set(["wasm-simd-peak", "memory-read-bandwidth", "infiniset-native-startup"]);
  const results = records.filter((r) => r.skipped === undefined && !special.has(String(r.impl)));
  const bandwidth = records.find((r) => r.impl === "memory-read-bandwidth")?.gbps;
  const shapes = new Map<string, Shape>();
  for (const r of results) {
    const shape = { m: Number(r.m), k: Number(r.k), n: Number(r.n) };
    shapes.set(label(shape), shape);
  }
  lines.push(
    "gemm: float32 C = A·B, GFLOP/s (median call); infiniset ÷ this = the best infiniset target's GFLOP/s",
    "with the same thread count over this row's",
  );
  for (const [name, shape] of shapes) {
    const rows = results.filter((r) => r.m === shape.m && r.k === shape.k && r.n === shape.n);
    const best = (threads: number) => {
      const ours = rows
        .filter((r) => String(r.impl).startsWith("infiniset-") && r.threads === threads)
        .map((r) => Number(r.gflops));
      return ours.length > 0 ? Math.max(...ours) : undefined;
    };
    // A one-row product streams B: its figure of merit is bytes of B per second.
    const gemv = shape.m === 1;
    lines.push("", `${name}`);
    lines.push(
      formatTable(
        [
          "impl",
          "threads",
          "ms",
          "GFLOP/s",
          ...(gemv ? ["GB/s of B", "of read bandwidth"] : []),
          "infiniset ÷ this",
        ],
        rows.map((r) => {
          const ours = best(Number(r.threads));
          return [
            String(r.impl),
            Number(r.threads),
            fmt(Number(r.ms)),
            fmt(Number(r.gflops)),
            ...(gemv
              ? [fmt(Number(r.gbps)), bandwidth ? `${fmt((100 * Number(r.gbps)) / Number(bandwidth))}%` : "—"]
              : []),
            ours === undefined ? "—" : `${fmt(ours / Number(r.gflops))}×`,
          ];
        }),
      ),
    );
  }
  if (bandwidth !== undefined) {
    lines.push(
      "",
      `memory read bandwidth (memcmp of two 128 MiB buffers, one thread): ${fmt(Number(bandwidth))} GB/s`,
    );
  }
  const startup = records.find((r) => r.impl === "infiniset-native-startup");
  if (startup) {
    lines.push(
      "",
      `native start-up (a fresh node process to its first results: two matmuls, gelu, softmax): ` +
        `${fmt(Number(startup.coldMs))} ms with an empty kernel cache, ${fmt(Number(startup.warmMs))} ms with the cache it left`,
    );
  }
  const peaks = records.filter((r) => r.impl === "wasm-simd-peak");
  if (peaks.length > 0) {
    lines.push("", "WebAssembly SIMD peak (independent f32x4 multiply-add chains):");
    for (const p of peaks) {
      const figure = p.gflops === null ? "—" : `${fmt(Number(p.gflops))} GFLOP/s`;
      lines.push(
        `  ${String(p.op).padEnd(12)} ${String(p.threads).padStart(2)} thread(s): ${figure}${p.note ? ` (${p.note})` : ""}`,
      );
    }
  }
  const skipped = records.filter((r) => r.skipped !== undefined);
  if (skipped.length > 0) {
    lines.push("", "notes:");
    for (const s of skipped) lines.push(`  ${s.impl}: ${s.skipped}`);
  }
  return lines.join("\n");
}

export const gemm: Bench = {
  name: "gemm",
  description:
    "float32 GEMM GFLOP/s on infiniset and the peers, with the WebAssembly SIMD peak (--sizes, --min-ms)",
  run: runGemm,
  render: renderGemm,
};

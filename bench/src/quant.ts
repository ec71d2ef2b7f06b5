// quant: the quantized kernels (quantizedMatmul) per ggml type against the memory
// bandwidth: a one-row product (token-by-token decoding) reads every packed weight once, so
// its speed is the weights' bytes per second, bounded by the machine's read bandwidth; a
// many-row product (prompt prefill) is counted in GFLOP/s. Each figure is checked against
// float64 dot products of the codec's values first.
//
//   npm run bench -- quant [--types Q4_0,Q4_K,...] [--shapes 4096x4096,768x2048] [--rows 128]
//                          [--targets native,wasm] [--activations f32,rounded] [--min-ms MS] [--json]
//
// --activations: float32 x, or x rounded as llama.cpp rounds it for the type (Q8 blocks;
// the native target then takes integer dot products), the "+q8" rows.
import {
  availableTargets,
  concat,
  createNativeTarget,
  createWasmTarget,
  quantizedMatmul,
  type Target,
  type Tensor,
  tensor,
  withTarget,
} from "../../dist/src/index.js";
import {
  dequantize,
  parseQuantType,
  QUANT_TYPES,
  type QuantType,
  quantize,
  roundActivations,
} from "../../dist/src/quant/index.js";
import { memoryReadBandwidth } from "./memory-bandwidth.js";
import { type Bench, type BenchContext, type BenchRecord, fmt, formatTable } from "./report.js";
import { medianMs } from "./timing.js";

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args[at + 1];
}

function values(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 32 - 0.5;
  }
  return out;
}

/** Row 0 and the last row of x·Wᵀ against float64 sums over the codec's values. */
function check(
  label: string,
  x: Float32Array,
  packed: Uint8Array,
  type: QuantType,
  m: number,
  k: number,
  out: ArrayLike<number>,
  rounded: boolean,
) {
  const n = out.length / m;
  if (rounded) x = roundActivations(type, x, k, new Float32Array(x.length));
  const w = dequantize(type, packed, k);
  for (const row of new Set([0, m - 1])) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let i = 0; i < k; i++) sum += x[row * k + i]! * w[j * k + i]!;
      if (!(Math.abs(out[row * n + j]! - sum) <= 1e-4 * Math.sqrt(k))) {
        throw new Error(`quant: ${label} gives [${row},${j}] = ${out[row * n + j]}, expected ${sum}`);
      }
    }
  }
}

function targetFor(name: string, threads: number): Target {
  return name === "wasm" ? createWasmTarget({ name, threads }) : createNativeTarget({ name, threads });
}

/**
 * The packed weights as the model keeps them on this target: the wasm target reads values
 * that live in its memory in place (a program's output stays there) and copies host arrays
 * in for every run, so the weights are moved in once, as a model's are.
 */
function residentWeights(target: Target, packed: Uint8Array, rows: number): Tensor {
  const rowBytes = packed.length / rows;
  const host = tensor(packed, [rows, rowBytes], { dtype: "uint8" });
  if (target.name !== "wasm") return host;
  const half = Math.floor(rows / 2);
  const moved = withTarget(target, () =>
    concat([host.slice([0, 0], [half, rowBytes]), host.slice([half, 0], [rows, rowBytes])]),
  );
  withTarget(target, () => moved.dataSync());
  return moved;
}

async function runQuant(context: BenchContext): Promise<void> {
  const { args } = context;
  const types = (option(args, "--types") ?? QUANT_TYPES.join(",")).split(",").map(parseQuantType);
  const shapes = (option(args, "--shapes") ?? "4096x4096,768x2048").split(",").map((s) => {
    const [k, n] = s.split("x").map(Number) as [number, number];
    if (!(k > 0 && n > 0)) throw new Error(`quant: bad shape "${s}" (use KxN)`);
    return { k, n };
  });
  const prefillRows = Number(option(args, "--rows") ?? 128);
  const minMs = Number(option(args, "--min-ms") ?? 300);
  const names = (option(args, "--targets") ?? "native,wasm")
    .split(",")
    .filter((t) => availableTargets().some((a) => a.name === t));
  const activations = (option(args, "--activations") ?? "f32,rounded").split(",");
  const threadCounts = context.threads > 1 ? [1, context.threads] : [1];
  context.log("measuring the memory read bandwidth");
  const bandwidth = memoryReadBandwidth();
  context.emit({ bench: "quant", impl: "memory-read-bandwidth", threads: 1, gbps: bandwidth });
  for (const { k, n } of shapes) {
    const weights = values(n * k, 2);
    for (const type of types) {
      if (k % (type.endsWith("_K") ? 256 : 32) !== 0 && !type.startsWith("F") && type !== "BF16") continue;
      const packed = quantize(type, weights, k);
      for (const name of names) {
        for (const threads of threadCounts) {
          const target = targetFor(name, threads);
          const w = residentWeights(target, packed, n);
          for (const [m, rounded] of [1, prefillRows].flatMap((m) =>
            activations.map((a) => [m, a === "rounded"] as const),
          )) {
            const impl = `infiniset-${name}${rounded ? "+q8" : ""}`;
            context.log(`${impl} ${type} ${m}×${k}×${n} ${threads} thread(s)`);
            const xValues = values(m * k, 1);
            const x = tensor(xValues, [m, k]);
            const run = () =>
              withTarget(target, () => quantizedMatmul(x, w, type, { roundActivations: rounded }).dataSync());
            try {
              check(`${impl} ${type} ${m}×${k}×${n}`, xValues, packed, type, m, k, run(), rounded);
              const ms = await medianMs(run, { minMs, warmup: 1 });
              const gbps = packed.length / (ms * 1e6);
              context.emit({
                bench: "quant",
                impl,
                type,
                m,
                k,
                n,
                threads,
                ms,
                gflops: (2 * m * k * n) / (ms * 1e6),
                ...(m === 1 ? { gbps, ofBandwidth: gbps / bandwidth } : {}),
              });
            } catch (error) {
              context.emit({ bench: "quant", impl, type, m, k, n, threads, skipped: String(error) });
              context.log(`${impl} ${type}: ${error instanceof Error ? error.message : String(error)}`);
            } finally {
              x.dispose();
            }
          }
          w.dispose();
        }
      }
    }
  }
}

function renderQuant(records: BenchRecord[]): string {
  const bw = records.find((r) => r.impl === "memory-read-bandwidth");
  const rows = records.filter((r) => r.bench === "quant" && r.type !== undefined && r.skipped === undefined);
  const decode = rows.filter((r) => r.m === 1);
  const prefill = rows.filter((r) => r.m !== 1);
  const lines = [`memory read bandwidth: ${fmt(bw?.gbps as number)} GB/s (one thread)`, ""];
  lines.push(
    "one row (decoding): packed weights streamed once",
    formatTable(
      ["type", "K×N", "impl", "threads", "ms", "GB/s", "of bandwidth", "GFLOP/s"],
      decode.map((r) => [
        String(r.type),
        `${r.k}×${r.n}`,
        String(r.impl),
        Number(r.threads),
        fmt(r.ms as number),
        fmt(r.gbps as number),
        `${Math.round(100 * (r.ofBandwidth as number))}%`,
        fmt(r.gflops as number),
      ]),
    ),
    "",
    "many rows (prefill)",
    formatTable(
      ["type", "M×K×N", "impl", "threads", "ms", "GFLOP/s"],
      prefill.map((r) => [
        String(r.type),
        `${r.m}×${r.k}×${r.n}`,
        String(r.impl),
        Number(r.threads),
        fmt(r.ms as number),
        fmt(r.gflops as number),
      ]),
    ),
  );
  for (const r of records.filter((x) => x.skipped !== undefined))
    lines.push(`${r.impl} ${r.type}: ${r.skipped}`);
  return lines.join("\n");
}

export const quant: Bench = {
  name: "quant",
  description: "quantizedMatmul per ggml type: one-row GB/s against the memory bandwidth, many-row GFLOP/s",
  run: runQuant,
  render: renderQuant,
};

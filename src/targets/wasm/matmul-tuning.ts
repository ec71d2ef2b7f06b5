import type { KernelProgram } from "../../compiler/kernels/kernel-ir.js";
import { contiguousView } from "../../compiler/kernels/view.js";
import { machineDescription, readTuningCache, saveTuningChoice } from "../tuning-cache.js";

/**
 * The matmul register-block height is chosen by measuring on this machine at first use: a
 * few candidates, each timed on one product for a few milliseconds. The choice is saved
 * (INFINISET_CACHE_DIR, else ~/.cache/infiniset) under a key naming the engine, the CPU and
 * the instruction features, so later runs reuse it without measuring.
 */
export const ROW_CANDIDATES = [2, 3, 4, 5, 6] as const;

export interface MatmulTuning {
  readonly rows: number;
  /** GFLOP/s measured per candidate (empty when taken from the cache). */
  readonly measured: Readonly<Record<string, number>>;
  readonly fromCache: boolean;
}

const CACHE_FILE = "wasm-matmul.json";

function cacheKey(fma: boolean): string {
  return `${machineDescription()} ${fma ? "relaxed-simd" : "simd128"}`;
}

/**
 * Returns the tuned block height. `measure(rows)` times the benchmark product with that
 * height and returns GFLOP/s; it is only called when the cache has no answer.
 */
export function tuneMatmulRows(fma: boolean, measure: (rows: number) => number): MatmulTuning {
  const key = cacheKey(fma);
  const saved = readTuningCache(CACHE_FILE)[key];
  if (typeof saved === "number" && (ROW_CANDIDATES as readonly number[]).includes(saved)) {
    return { rows: saved, measured: {}, fromCache: true };
  }
  const measured: Record<string, number> = {};
  for (const rows of ROW_CANDIDATES) measured[rows] = measure(rows);
  const rows = Number(Object.entries(measured).sort((a, b) => b[1] - a[1])[0]![0]);
  saveTuningChoice(CACHE_FILE, key, rows);
  return { rows, measured, fromCache: false };
}

/** The product the candidates are timed on: 96×128 @ 128×128, B packed, in one kernel. */
export function tuningProgram(): KernelProgram {
  const [m, k, n] = [96, 128, 128];
  const panels = n / 8;
  return {
    buffers: [
      { size: m * k, dtype: "float32" },
      { size: panels * k * 8, dtype: "float32" },
      { size: m * n, dtype: "float32" },
    ],
    inputs: [0, 1],
    outputs: [2],
    kernels: [
      {
        kind: "matmul",
        out: 2,
        a: { buffer: 0, view: contiguousView([m, k]) },
        b: { buffer: 1, view: contiguousView([panels, k, 8]), packedPanel: 8 },
        shape: [m, n],
        dtype: "float32",
        fused: ["matmul"],
      },
    ],
  };
}

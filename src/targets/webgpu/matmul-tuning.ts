import type { KernelProgram } from "../../compiler/kernels/kernel-ir.js";
import { contiguousView } from "../../compiler/kernels/view.js";
import { readTuningCache, saveTuningChoice } from "../tuning-cache.js";
import type { AdapterReport } from "./device-commands.js";
import type { MatmulTiles } from "./render-matmul.js";

/**
 * Matmul tiles are chosen per adapter by measuring at the first matmul: each candidate
 * times one square product, grown until the product takes a few milliseconds (so launch
 * overhead does not decide). The choice is saved (INFINISET_CACHE_DIR, else
 * ~/.cache/infiniset) under the adapter's name and limits, and later runs reuse it.
 *
 * CPU implementations of WebGPU (SwiftShader, lavapipe) get the smallest tiles without
 * measuring: there, a shader with a large register block takes seconds to compile, and no
 * tiling makes them fast.
 */
export const TILE_CANDIDATES: readonly MatmulTiles[] = [
  { bm: 64, bn: 64, bk: 16, tm: 4, tn: 4 },
  { bm: 128, bn: 64, bk: 8, tm: 8, tn: 4 },
  { bm: 128, bn: 128, bk: 8, tm: 8, tn: 8 },
  { bm: 32, bn: 32, bk: 16, tm: 2, tn: 2 },
  { bm: 16, bn: 16, bk: 8, tm: 1, tn: 1 },
];

const CPU_TILES = TILE_CANDIDATES[TILE_CANDIDATES.length - 1]!;

export interface TilesChoice {
  readonly tiles: MatmulTiles;
  /** GFLOP/s per candidate, when measured now. */
  readonly measured: Readonly<Record<string, number>>;
  readonly source: "measured" | "cache" | "cpu adapter" | "default";
}

export function isCpuAdapter(report: AdapterReport): boolean {
  return /swiftshader|llvmpipe|lavapipe|software/i.test(
    `${report.vendor} ${report.architecture} ${report.device} ${report.description}`,
  );
}

export function tileName(t: MatmulTiles): string {
  return `${t.bm}x${t.bn}x${t.bk}/${t.tm}x${t.tn}`;
}

function cacheKey(report: AdapterReport): string {
  return `${report.api} ${report.vendor} ${report.architecture} ${report.device} ${report.description} ${report.limits.maxComputeInvocationsPerWorkgroup}`;
}

const CACHE_FILE = "webgpu-matmul.json";

/** The tiles saved for this adapter, if any. */
export function cachedTiles(report: AdapterReport): MatmulTiles | undefined {
  const saved = readTuningCache(CACHE_FILE)[cacheKey(report)];
  return TILE_CANDIDATES.find((t) => tileName(t) === saved);
}

/**
 * The tiles for this adapter. `measure(tiles, n)` returns milliseconds for one n×n×n
 * product (undefined where the device cannot be waited for: then the default tiles).
 */
export function chooseTiles(
  report: AdapterReport,
  measure: ((tiles: MatmulTiles, n: number) => number) | undefined,
): TilesChoice {
  if (isCpuAdapter(report)) return { tiles: CPU_TILES, measured: {}, source: "cpu adapter" };
  const cached = cachedTiles(report);
  if (cached) return { tiles: cached, measured: {}, source: "cache" };
  const fits = TILE_CANDIDATES.filter(
    (t) => (t.bm / t.tm) * (t.bn / t.tn) <= (report.limits.maxComputeInvocationsPerWorkgroup ?? 256),
  );
  if (!measure) return { tiles: fits[0]!, measured: {}, source: "default" };
  let n = 256;
  while (n < 4096 && measure(fits[0]!, n) < 20) n *= 2;
  const measured: Record<string, number> = {};
  for (const t of fits) {
    const ms = Math.min(measure(t, n), measure(t, n));
    measured[tileName(t)] = (2 * n ** 3) / (ms * 1e6);
  }
  const best = fits.reduce((a, b) => (measured[tileName(b)]! > measured[tileName(a)]! ? b : a));
  saveTuningChoice(CACHE_FILE, cacheKey(report), tileName(best));
  return { tiles: best, measured, source: "measured" };
}

/** The product the candidates are timed on: n×n @ n×n, one kernel. */
export function tuningProgram(n: number): KernelProgram {
  const view = contiguousView([n, n]);
  return {
    buffers: [
      { size: n * n, dtype: "float32" },
      { size: n * n, dtype: "float32" },
      { size: n * n, dtype: "float32" },
    ],
    inputs: [0, 1],
    outputs: [2],
    kernels: [
      {
        kind: "matmul",
        out: 2,
        a: { buffer: 0, view },
        b: { buffer: 1, view },
        shape: [n, n],
        dtype: "float32",
        fused: ["matmul"],
      },
    ],
  };
}

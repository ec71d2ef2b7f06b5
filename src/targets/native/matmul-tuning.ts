import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MatmulKernel } from "../../compiler/kernels/kernel-ir.js";
import { contiguousView } from "../../compiler/kernels/view.js";
import type { KernelLibraries } from "./kernel-libraries.js";
import type { MatmulShapeConfig } from "./matmul-source.js";
import { NativeArena } from "./native-arena.js";
import { ParamsBlock } from "./params-block.js";
import { renderMatmul } from "./render-matmul.js";

/**
 * The matmul's register block (MR×NR, compiled in) and cache blocking (KC along K, MU×NU
 * per tile unit: parameters), chosen by measuring on this machine the first time a
 * matmul is needed: the candidate register blocks are compiled and timed on one thread
 * on a 768² product, then the best one over a few block sizes. Time is the process's CPU
 * time, not the clock, so another program taking the core now and then (a shared
 * machine) does not decide the result. The winner is written to the cache folder (keyed
 * by compiler and CPU) and read back by every later process: about 2 s, once per machine.
 */
export interface MatmulTuning extends MatmulShapeConfig {
  readonly kc: number;
  readonly mu: number;
  readonly nu: number;
  /** What the winner measured, GFLOP/s on one thread (for `doctor`). */
  readonly gflops: number;
}

const VERSION = 2;
const SIDE = 768;

/** Register blocks worth trying for a vector width: MR×NR/lanes accumulators fit the register file. */
function candidates(lanes: number): MatmulShapeConfig[] {
  if (lanes === 16) {
    // 32 registers: 24–28 accumulators, the B vectors, a broadcast.
    return [
      { mr: 6, nr: 64, lanes },
      { mr: 12, nr: 32, lanes },
      { mr: 14, nr: 32, lanes },
      { mr: 8, nr: 48, lanes },
    ];
  }
  if (lanes === 8) {
    // 16 registers: 12 accumulators.
    return [
      { mr: 6, nr: 16, lanes },
      { mr: 4, nr: 24, lanes },
    ];
  }
  return [
    { mr: 6, nr: 8, lanes },
    { mr: 4, nr: 12, lanes },
    { mr: 8, nr: 12, lanes },
  ];
}

function tuningFile(libraries: KernelLibraries): string {
  return join(libraries.cacheDir, `matmul-tuning-${libraries.compiler.key}-v${VERSION}.json`);
}

/** The tuning measured earlier on this machine, if any (without measuring). */
export function cachedMatmulTuning(libraries: KernelLibraries): MatmulTuning | undefined {
  const file = tuningFile(libraries);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as MatmulTuning;
  } catch {
    return undefined; // unreadable: measured again when needed
  }
}

export function matmulTuning(libraries: KernelLibraries): MatmulTuning {
  const cached = cachedMatmulTuning(libraries);
  if (cached) return cached;
  const file = tuningFile(libraries);
  const tuning = measure(libraries);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(tuning)}\n`);
  renameSync(temporary, file);
  return tuning;
}

/** Milliseconds of this process's CPU time that `run` takes, the least of `reps` runs after one warm-up. */
function cpuMs(run: () => void, reps: number): number {
  run();
  let least = Number.POSITIVE_INFINITY;
  for (let r = 0; r < reps; r++) {
    const start = process.cpuUsage();
    run();
    const used = process.cpuUsage(start);
    least = Math.min(least, (used.user + used.system) / 1000);
  }
  return least;
}

function measure(libraries: KernelLibraries): MatmulTuning {
  const configs = candidates(libraries.compiler.lanes);
  const probe = (c: MatmulShapeConfig): MatmulTuning => ({
    ...c,
    kc: 256,
    mu: 8 * c.mr,
    nu: 8 * c.nr,
    gflops: 0,
  });
  // Every candidate compiled at once (one compiler process per core).
  const compiled = libraries.resolve(
    configs.map((c) => renderMatmul(productKernel(c), () => 0, probe(c), 1)!.code),
  );
  const floats = SIDE * SIDE;
  const maxPanel = Math.max(...configs.map((c) => c.nr));
  const packedFloats = Math.ceil(SIDE / maxPanel) * maxPanel * SIDE;
  const arena = new NativeArena();
  arena.ensure((2 * floats + packedFloats) * 4);
  const offsets = [0, floats * 4, (floats + packedFloats) * 4];
  const a = arena.view(offsets[0]!, "float32", floats);
  const value = (i: number) => ((i * 7919) % 1000) / 1000 - 0.5;
  for (let i = 0; i < floats; i++) a[i] = value(i);

  const time = (c: number, trial: MatmulTuning) => {
    const config = configs[c]!;
    // B as the compiler's pack kernel leaves it: NR-column panels, K rows each.
    const packed = arena.view(offsets[1]!, "float32", packedFloats);
    const panels = Math.ceil(SIDE / config.nr);
    for (let p = 0; p < panels; p++)
      for (let k = 0; k < SIDE; k++)
        for (let q = 0; q < config.nr; q++) {
          const n = p * config.nr + q;
          packed[(p * SIDE + k) * config.nr + q] = n < SIDE ? value(k * SIDE + n + 1) : 0;
        }
    const rendered = renderMatmul(productKernel(config), (b) => offsets[b]!, trial, 1)!;
    const block = new ParamsBlock([rendered.params]);
    block.setArena(arena.address);
    const ms = cpuMs(() => compiled[c]!.call(block.addresses[0]!, 0, rendered.units), 3);
    return (2 * SIDE ** 3) / (ms * 1e6);
  };

  // The register block first, at a middling blocking; then the blocking for the winner.
  let best = probe(configs[0]!);
  let bestIndex = 0;
  configs.forEach((config, c) => {
    const gflops = time(c, probe(config));
    if (gflops > best.gflops) [best, bestIndex] = [{ ...probe(config), gflops }, c];
  });
  const winner = configs[bestIndex]!;
  for (const kc of [128, 192, 256, 384]) {
    for (const rows of [96, 192]) {
      for (const columns of [512, 1024]) {
        const trial = {
          ...winner,
          kc,
          mu: Math.ceil(rows / winner.mr) * winner.mr,
          nu: Math.ceil(columns / winner.nr) * winner.nr,
          gflops: 0,
        };
        const gflops = time(bestIndex, trial);
        if (gflops > best.gflops) best = { ...trial, gflops };
      }
    }
  }
  return best;
}

/** A SIDE² product, A, packed B and C in buffers 0, 1 and 2. */
function productKernel(config: MatmulShapeConfig): MatmulKernel {
  const view = contiguousView([SIDE, SIDE]);
  const panels = Math.ceil(SIDE / config.nr);
  return {
    kind: "matmul",
    out: 2,
    a: { buffer: 0, view },
    b: { buffer: 1, view: contiguousView([panels, SIDE, config.nr]), packedPanel: config.nr },
    shape: [SIDE, SIDE],
    dtype: "float32",
    fused: ["matmul"],
  };
}

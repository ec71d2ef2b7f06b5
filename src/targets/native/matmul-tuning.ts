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
 * per tile unit, parameters), chosen by measuring on this machine the first time a
 * matmul is needed: each candidate register block is compiled, then timed on one thread
 * over a few block sizes on a 512² product. The winner is written to the cache folder
 * (keyed by compiler and CPU) and read back by every later process.
 */
export interface MatmulTuning extends MatmulShapeConfig {
  readonly kc: number;
  readonly mu: number;
  readonly nu: number;
  /** What the winner measured, GFLOP/s on one thread (for `doctor`). */
  readonly gflops: number;
}

const VERSION = 1;
const SIDE = 512;

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

export function matmulTuning(libraries: KernelLibraries): MatmulTuning {
  const file = join(libraries.cacheDir, `matmul-tuning-${libraries.compiler.key}-v${VERSION}.json`);
  if (existsSync(file)) {
    try {
      return JSON.parse(readFileSync(file, "utf8")) as MatmulTuning;
    } catch {
      // unreadable: measure again
    }
  }
  const tuning = measure(libraries);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(tuning)}\n`);
  renameSync(temporary, file);
  return tuning;
}

function measure(libraries: KernelLibraries): MatmulTuning {
  const configs = candidates(libraries.compiler.lanes);
  // Compile every candidate at once (one compiler process per core).
  const probe = (config: MatmulShapeConfig) => ({ ...config, kc: 256, mu: 96, nu: 256, gflops: 0 });
  const compiled = libraries.resolve(
    configs.map((c) => renderMatmul(productKernel(), () => 0, probe(c), 1)!.code),
  );
  const arena = new NativeArena();
  const floats = SIDE * SIDE;
  arena.ensure(floats * 4 * 3);
  const a = arena.view(0, "float32", floats);
  const b = arena.view(floats * 4, "float32", floats);
  for (let i = 0; i < floats; i++) {
    a[i] = ((i * 7919) % 1000) / 1000 - 0.5;
    b[i] = ((i * 104729) % 1000) / 1000 - 0.5;
  }
  const offsets = [0, floats * 4, floats * 8];
  let best: MatmulTuning | undefined;
  configs.forEach((config, c) => {
    for (const kc of [128, 256, 384, 512]) {
      for (const nuTarget of [128, 256, 512]) {
        const nu = Math.ceil(nuTarget / config.nr) * config.nr;
        const mu = Math.ceil(96 / config.mr) * config.mr;
        const trial = { ...config, kc, mu, nu, gflops: 0 };
        const rendered = renderMatmul(productKernel(), (buffer) => offsets[buffer]!, trial, 1)!;
        const block = new ParamsBlock([rendered.params]);
        block.setArena(arena.address);
        const run = () => compiled[c]!.call(block.addresses[0]!, 0, rendered.units);
        run();
        let fastest = Number.POSITIVE_INFINITY;
        for (let rep = 0; rep < 3; rep++) {
          const start = performance.now();
          run();
          fastest = Math.min(fastest, performance.now() - start);
        }
        const gflops = (2 * SIDE ** 3) / (fastest * 1e6);
        if (!best || gflops > best.gflops) best = { ...trial, gflops };
      }
    }
  });
  return best!;
}

/** A SIDE² product with A, B and C in buffers 0, 1 and 2. */
function productKernel(): MatmulKernel {
  const view = contiguousView([SIDE, SIDE]);
  return {
    kind: "matmul",
    out: 2,
    a: { buffer: 0, view },
    b: { buffer: 1, view },
    shape: [SIDE, SIDE],
    dtype: "float32",
    fused: ["matmul"],
  };
}

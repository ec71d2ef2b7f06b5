import { describeKernel } from "../../compiler/kernels/describe.js";
import { fuseProgram } from "../../compiler/kernels/fuse.js";
import type { Program } from "../../compiler/program.js";
import type { HostArray } from "../../ir/dtype.js";
import type { Storage } from "../../ir/storage.js";
import { claims, type KernelTable } from "../kernel-table.js";
import type { ProgramProfile, Target } from "../target.js";
import type { AdapterReport } from "./device-commands.js";
import type { DeviceConnection } from "./device-connection.js";
import { chooseTiles, type TilesChoice, tuningProgram } from "./matmul-tuning.js";
import type { MatmulTiles } from "./render-matmul.js";
import { WEBGPU_KERNELS, type WebgpuInstructionKernel } from "./webgpu-kernels.js";
import { uploadBuffer, WebgpuProgram } from "./webgpu-program.js";
import { StatusChecks } from "./webgpu-status.js";

export interface WebgpuTargetOptions {
  name?: string;
  /** Fuse elementwise chains and reduction prologues (default true). */
  fuse?: boolean;
  /** Matmul tiles (default: tuned for the adapter at the first matmul). */
  matmulTiles?: MatmulTiles;
  /** Leave subgroup operations unused even where the adapter has them (for comparing). */
  noSubgroups?: boolean;
  /** Kernels of its own for whole instructions, beside the built-in ones (webgpu-kernels.ts). */
  kernels?: KernelTable<WebgpuInstructionKernel>;
}

/** A target that also tells what GPU it runs on (for `doctor`). */
export interface WebgpuTarget extends Target {
  readonly adapter: AdapterReport;
  /** The matmul tiles, once the first matmul has chosen them. */
  matmulTiles(): TilesChoice | undefined;
}

/**
 * The webgpu target: the compiler's kernels rendered as WGSL compute shaders, run on a
 * GPU through WebGPU (`navigator.gpu` in browsers, the `webgpu` package's Dawn in Node).
 * Values stay in GPU memory between programs; intermediates of a program share one arena.
 */
export function createWebgpuTarget(
  connection: DeviceConnection,
  options: WebgpuTargetOptions = {},
): WebgpuTarget {
  const name = options.name ?? "webgpu";
  const kernelTable = { ...WEBGPU_KERNELS, ...options.kernels };
  const report = connection.report;
  const compiled = new WeakMap<Program, WebgpuProgram>();
  // A program the compiler's cache let go of frees its parameters on the device.
  const forgotten = new FinalizationRegistry<number>((id) => connection.unload(id));
  let nextBuffer = 1;
  let nextProgram = 1;
  let arena = { id: 0, bytes: 0 };
  let tiles: TilesChoice | undefined;
  /** Milliseconds for one n×n×n product with these tiles (compiled and run once before timing). */
  const measureTiles = (candidate: MatmulTiles, n: number): number => {
    const gpu = new WebgpuProgram(tuningProgram(n), { ...ctx, matmulTiles: () => candidate });
    const values = new Float32Array(n * n).fill(0.5);
    const operands = [uploadBuffer(ctx, values, "float32"), uploadBuffer(ctx, values, "float32")];
    for (const o of operands) o.retain();
    const once = () => {
      const [out] = gpu.run(operands);
      connection.readSync(out!.id, 0, 4);
      out!.retain();
      out!.release();
    };
    once();
    const start = performance.now();
    once();
    const ms = performance.now() - start;
    for (const o of operands) o.release();
    gpu.dispose();
    return ms;
  };
  const ctx = {
    targetName: name,
    connection,
    newBufferId: () => nextBuffer++,
    newProgramId: () => nextProgram++,
    arena(bytes: number): number {
      if (arena.id !== 0 && arena.bytes >= bytes) return arena.id;
      if (arena.id !== 0) connection.enqueue({ op: "release", buffer: arena.id });
      // Grown with room to spare, so that a series of larger programs does not reallocate each time.
      const size = Math.max(bytes, Math.ceil(arena.bytes * 1.5), 1024);
      arena = { id: nextBuffer++, bytes: size };
      connection.enqueue({ op: "create", buffer: arena.id, bytes: size });
      return arena.id;
    },
    matmulTiles: (): MatmulTiles => {
      if (options.matmulTiles) return options.matmulTiles;
      tiles ??= chooseTiles(report, connection.canReadSync ? measureTiles : undefined);
      return tiles.tiles;
    },
    maxGroups: report.limits.maxComputeWorkgroupsPerDimension ?? 65535,
    maxStorageBuffers: report.limits.maxStorageBuffersPerShaderStage ?? 8,
    subgroups: report.features.includes("subgroups") && !options.noSubgroups,
    kernels: kernelTable,
    status: new StatusChecks(connection, nextBuffer++),
  };
  const prepare = (program: Program): WebgpuProgram => {
    let gpu = compiled.get(program);
    if (!gpu) {
      gpu = new WebgpuProgram(fuseProgram(program, { fuse: options.fuse ?? true, epilogues: true }), ctx);
      compiled.set(program, gpu);
      forgotten.register(gpu, gpu.id);
    }
    return gpu;
  };
  return {
    name,
    adapter: report,
    matmulTiles: () =>
      options.matmulTiles ? { tiles: options.matmulTiles, measured: {}, source: "default" } : tiles,
    description: `WGSL compute shaders on ${adapterName(report)} through ${report.api}`,
    hasKernel: (instruction, attrs) => claims(kernelTable, instruction, attrs),
    run(program: Program, inputs: readonly HostArray[]): HostArray[] {
      return prepare(program)
        .run(inputs)
        .map((out) => {
          out.retain();
          const values = out.read();
          out.release();
          return values;
        });
    },
    runResident(program: Program, inputs: readonly Storage[]): Storage[] {
      return prepare(program).run(inputs);
    },
    profile(program: Program, inputs: readonly Storage[]): ProgramProfile {
      const gpu = prepare(program);
      const times: number[] = [];
      // Each kernel is sent alone and waited for: a read of one word after it.
      let last = performance.now();
      const outputs = gpu.run(inputs, (k) => {
        if (connection.canReadSync) connection.readSync(ctx.arena(0), 0, 4);
        const now = performance.now();
        times[k] = now - last;
        last = now;
      });
      for (const out of outputs) {
        out.retain();
        out.release();
      }
      return {
        kernels: gpu.program.kernels.map((k, i) => ({ ...describeKernel(k), ms: times[i] ?? 0 })),
        arenaBytes: gpu.arenaBytes,
        buffers: gpu.program.buffers.length,
      };
    },
  };
}

export function adapterName(report: AdapterReport): string {
  const parts = [report.vendor, report.architecture, report.device, report.description].filter((p) => p);
  return parts.length ? [...new Set(parts)].join(" ") : "an unnamed adapter";
}

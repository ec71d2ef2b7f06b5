import type { KernelProgram } from "../../compiler/kernels/kernel-ir.js";
import { bytesPer, planArena } from "../../compiler/plan-memory.js";
import { allocHost, type DType, type HostArray } from "../../ir/dtype.js";
import type { RefValue } from "../../isa/instruction.js";
import type { CodeWriter } from "./emitter/code-writer.js";
import { ModuleBuilder } from "./emitter/module-builder.js";
import { ValType } from "./emitter/opcodes.js";
import { type HostFunctionName, hostFunctions } from "./host-functions.js";
import { type RenderContext, renderElementwise, renderReduce } from "./render-elementwise.js";
import { matmulBatchTable, matmulScratchBytes, renderMatmul } from "./render-matmul.js";
import { addSimdMath } from "./simd-math.js";

/**
 * A kernel program compiled to one WebAssembly module: one exported function per
 * generated kernel, all addresses baked in from the arena plan. Host kernels run their
 * reference semantics on views of the same memory.
 */
export class WasmProgram {
  private readonly instance: WebAssembly.Instance;
  private readonly offsets: readonly number[];
  private readonly tables: { offset: number; data: Int32Array }[] = [];
  readonly bytesNeeded: number;

  constructor(
    readonly program: KernelProgram,
    private readonly memory: WebAssembly.Memory,
  ) {
    const arena = planArena(program);
    this.offsets = arena.offsets;
    let end = align(arena.bytes);
    const builder = new ModuleBuilder();
    const host = {} as Record<HostFunctionName, number>;
    for (const name of Object.keys(hostFunctions) as HostFunctionName[]) {
      const sig = signatures[name];
      host[name] = builder.importFunction("host", name, sig[0], sig[1]);
    }
    const simdMath = addSimdMath(builder);
    const ctx: RenderContext = { bufferOffset: (b) => this.offsets[b]!, host, simdMath };
    // Constant tables (matmul batch offsets) and one shared scratch area follow the arena.
    const tableAt = new Map<number, number>();
    let scratch = 0;
    program.kernels.forEach((kernel, k) => {
      if (kernel.kind !== "matmul") return;
      const data = matmulBatchTable(kernel);
      tableAt.set(k, end);
      this.tables.push({ offset: end, data });
      end = align(end + data.byteLength);
      scratch = Math.max(scratch, matmulScratchBytes(kernel));
    });
    const scratchAt = end;
    this.bytesNeeded = scratchAt + scratch;
    const bodies: (CodeWriter | undefined)[] = program.kernels.map((kernel, k) => {
      switch (kernel.kind) {
        case "elementwise":
          return renderElementwise(kernel, ctx);
        case "reduce":
          return renderReduce(kernel, ctx);
        case "matmul":
          return renderMatmul(kernel, ctx, { table: tableAt.get(k)!, scratch: scratchAt });
        default:
          return undefined;
      }
    });
    builder.importMemory("env", "memory", 1);
    bodies.forEach((body, k) => {
      if (body) builder.addFunction([], [], body, `k${k}`);
    });
    const module = new WebAssembly.Module(builder.toBytes() as BufferSource);
    this.instance = new WebAssembly.Instance(module, { env: { memory }, host: hostFunctions });
  }

  /** Runs the program; with `times`, records each kernel's milliseconds in it. */
  run(inputs: readonly HostArray[], times?: number[]): HostArray[] {
    const { memory, program } = this;
    const pages = Math.ceil(this.bytesNeeded / 65536);
    const have = memory.buffer.byteLength / 65536;
    if (pages > have) memory.grow(pages - have);
    program.inputs.forEach((b, i) => {
      const src = inputs[i]!;
      view(memory, this.offsets[b]!, program.buffers[b]!.dtype, src.length).set(src);
    });
    for (const t of this.tables) new Int32Array(memory.buffer, t.offset, t.data.length).set(t.data);
    const exports = this.instance.exports as Record<string, () => void>;
    program.kernels.forEach((_, k) => {
      const start = times ? performance.now() : 0;
      this.runKernel(k, exports);
      if (times) times[k] = performance.now() - start;
    });
    return program.outputs.map((b) => {
      const info = program.buffers[b]!;
      const copy = allocHost(info.dtype, info.size);
      copy.set(view(memory, this.offsets[b]!, info.dtype, info.size));
      return copy;
    });
  }

  private runKernel(k: number, exports: Record<string, () => void>) {
    const { memory, program } = this;
    const kernel = program.kernels[k]!;
    if (kernel.kind !== "host") {
      exports[`k${k}`]!();
      return;
    }
    const refInputs: RefValue[] = kernel.inputs.map((b, i) => {
      const info = program.buffers[b]!;
      return {
        shape: kernel.inputShapes[i]!,
        dtype: info.dtype,
        data: view(memory, this.offsets[b]!, info.dtype, info.size),
      };
    });
    const outInfo = program.buffers[kernel.out]!;
    const out: RefValue = {
      shape: kernel.shape,
      dtype: outInfo.dtype,
      data: view(memory, this.offsets[kernel.out]!, outInfo.dtype, outInfo.size),
    };
    kernel.instruction.spec.ref!(refInputs, out, kernel.attrs);
  }

  get arenaBytes(): number {
    return this.bytesNeeded;
  }
}

function align(n: number): number {
  return Math.ceil(n / 16) * 16;
}

function view(memory: WebAssembly.Memory, offset: number, dtype: DType, size: number): HostArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(memory.buffer, offset, size);
    case "int32":
      return new Int32Array(memory.buffer, offset, size);
    case "bool":
      return new Uint8Array(memory.buffer, offset, size * bytesPer("bool"));
  }
}

const F64 = ValType.f64;
const I32 = ValType.i32;
const signatures: Record<HostFunctionName, [ValType[], ValType[]]> = {
  exp: [[F64], [F64]],
  log: [[F64], [F64]],
  sin: [[F64], [F64]],
  tanh: [[F64], [F64]],
  erf: [[F64], [F64]],
  pow: [[F64, F64], [F64]],
  idiv: [[I32, I32], [I32]],
  uniform: [[I32, I32], [F64]],
  normal: [[I32, I32], [F64]],
};

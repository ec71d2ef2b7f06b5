import type { InstructionKernel } from "../../compiler/kernels/kernel-ir.js";
import type { DType } from "../../ir/dtype.js";
import { InstructionError } from "../../isa/errors.js";
import type { CheckRangeAttrs } from "../../isa/indexing.js";
import type { Attrs } from "../../isa/instruction.js";
import type { KernelTable } from "../kernel-table.js";
import type { FailureMessage } from "./webgpu-status.js";
import {
  type BufferPlace,
  gridGroups,
  KernelBindings,
  type RenderedKernel,
  shaderSource,
  WgslParams,
} from "./wgsl-kernel.js";

/** What an instruction kernel is rendered with. */
export interface InstructionKernelContext {
  readonly place: (buffer: number) => BufferPlace;
  readonly maxGroups: number;
  /** Registers a check's failure message; its number goes into the check's parameters. */
  readonly check: (message: FailureMessage) => number;
  readonly dtype: (buffer: number) => DType;
}

/** A kernel of the webgpu target's own for one instruction: compute shaders over its buffers, run in order. */
export type WebgpuInstructionKernel = (
  kernel: InstructionKernel,
  ctx: InstructionKernelContext,
) => RenderedKernel[] | undefined;

const WORKGROUP = 256;

/**
 * Two dispatches checking that an int32 buffer's values lie in [low, high) (or equal
 * `except`): the first records the first failing position in the status words, the
 * second, one invocation, the value there.
 */
function rangeCheck(
  ctx: InstructionKernelContext,
  buffer: number,
  size: number,
  range: { low: number; high: number; except?: number },
  message: FailureMessage,
): RenderedKernel[] {
  const id = ctx.check(message);
  const scan = (() => {
    const params = new WgslParams();
    const b = new KernelBindings(ctx.place, params);
    const { array, base } = b.buffer(buffer);
    const st = b.status();
    const [n, low, high, code] = [
      params.int(size),
      params.int(range.low),
      params.int(range.high),
      params.int(id),
    ];
    const except = range.except === undefined ? "false" : `v == ${params.int(range.except)}`;
    const body = `@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  // A check after an earlier failure in this program records nothing: the first is reported.
  if (atomicLoad(&${st}[0]) < u32(${code})) { return; }
  for (var t = gid.x; t < u32(${n}); t += groups.x * ${WORKGROUP}u) {
    let v = bitcast<i32>(${array}[${base} + i32(t)]);
    if ((v < ${low} || v >= ${high}) && !(${except})) {
      atomicMin(&${st}[0], u32(${code}));
      atomicMin(&${st}[1], t);
    }
  }
}`;
    return {
      code: shaderSource(b, body),
      params,
      slots: b.used,
      groups: gridGroups(size, WORKGROUP, ctx.maxGroups),
    };
  })();
  const report = (() => {
    const params = new WgslParams();
    const b = new KernelBindings(ctx.place, params);
    const { array, base } = b.buffer(buffer);
    const st = b.status();
    const code = params.int(id);
    const body = `@compute @workgroup_size(1)
fn main() {
  if (atomicLoad(&${st}[0]) == u32(${code}) && atomicLoad(&${st}[2]) == 0u) {
    atomicStore(&${st}[3], ${array}[${base} + i32(atomicLoad(&${st}[1]))]);
    atomicStore(&${st}[2], 1u);
  }
}`;
    return {
      code: shaderSource(b, body),
      params,
      slots: b.used,
      groups: [1, 1, 1] as [number, number, number],
    };
  })();
  return [scan, report];
}

/** A kernel over every element of the output, `body` computing `out[t]` from the linear index `t`. */
function perElement(
  ctx: InstructionKernelContext,
  total: number,
  render: (b: KernelBindings) => string,
): RenderedKernel {
  const params = new WgslParams();
  const b = new KernelBindings(ctx.place, params);
  const count = params.int(total);
  const inner = render(b);
  const body = `@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  for (var u = gid.x; u < u32(${count}); u += groups.x * ${WORKGROUP}u) {
    let t = i32(u);
    ${inner}
  }
}`;
  return {
    code: shaderSource(b, body),
    params,
    slots: b.used,
    groups: gridGroups(total, WORKGROUP, ctx.maxGroups),
  };
}

/** outer × len × inner, the sizes gather and scatterAdd walk x in. */
function takenSizes(kernel: InstructionKernel, xShape: readonly number[]) {
  const axis = kernel.attrs.axis as number;
  const prod = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
  const count = prod(kernel.inputShapes[1]!);
  return {
    axis,
    len: xShape[axis]!,
    inner: prod(xShape.slice(axis + 1)),
    count,
    outer: prod(xShape.slice(0, axis)),
  };
}

const outOfRange =
  (name: string, axis: number, len: number): FailureMessage =>
  (_position, value) =>
    new InstructionError(name, `index ${value} is out of range for axis ${axis} of size ${len}`).message;

/** gather: out[o, j, k] = x[o, indices[j], k], after checking the indices. */
const gather: WebgpuInstructionKernel = (kernel, ctx) => {
  const [x, indices] = kernel.inputs as [number, number];
  const { axis, len, inner, count, outer } = takenSizes(kernel, kernel.inputShapes[0]!);
  if (outer * count * inner === 0) return [];
  const main = perElement(ctx, outer * count * inner, (b) => {
    const X = b.buffer(x);
    const I = b.buffer(indices);
    const O = b.buffer(kernel.out, true);
    const [ni, nc, nl] = [b.params.int(inner), b.params.int(count), b.params.int(len)];
    return `let k = t % ${ni};
    let j = (t / ${ni}) % ${nc};
    let o = t / (${ni} * ${nc});
    let index = clamp(bitcast<i32>(${I.array}[${I.base} + j]), 0i, ${nl} - 1i);
    ${O.array}[${O.base} + t] = ${X.array}[${X.base} + (o * ${nl} + index) * ${ni} + k];`;
  });
  return [...rangeCheck(ctx, indices, count, { low: 0, high: len }, outOfRange("gather", axis, len)), main];
};

/**
 * scatterAdd: out = x, plus each slice of updates added at its index. Each invocation owns
 * one output element and adds, in index order, every update aimed at it: the reference's
 * order of additions, with no atomics (WGSL has none for floats).
 */
const scatterAdd: WebgpuInstructionKernel = (kernel, ctx) => {
  const [x, indices, updates] = kernel.inputs as [number, number, number];
  const { axis, len, inner, count, outer } = takenSizes(kernel, kernel.inputShapes[0]!);
  const float = ctx.dtype(kernel.out) === "float32";
  const total = outer * len * inner;
  if (total === 0) return [];
  const main = perElement(ctx, total, (b) => {
    const X = b.buffer(x);
    const I = b.buffer(indices);
    const U = b.buffer(updates);
    const O = b.buffer(kernel.out, true);
    const [ni, nc, nl] = [b.params.int(inner), b.params.int(count), b.params.int(len)];
    const t = float ? "f32" : "i32";
    return `let k = t % ${ni};
    let r = (t / ${ni}) % ${nl};
    let o = t / (${ni} * ${nl});
    var sum = bitcast<${t}>(${X.array}[${X.base} + t]);
    for (var j = 0i; j < ${nc}; j++) {
      if (bitcast<i32>(${I.array}[${I.base} + j]) == r) {
        sum = sum + bitcast<${t}>(${U.array}[${U.base} + (o * ${nc} + j) * ${ni} + k]);
      }
    }
    ${O.array}[${O.base} + t] = bitcast<u32>(sum);`;
  });
  return [
    ...rangeCheck(ctx, indices, count, { low: 0, high: len }, outOfRange("scatterAdd", axis, len)),
    main,
  ];
};

/** checkRange: a copy of the ids, after checking them. */
const checkRange: WebgpuInstructionKernel = (kernel, ctx) => {
  const [x] = kernel.inputs as [number];
  const { low, high, except, what } = kernel.attrs as CheckRangeAttrs;
  const size = kernel.shape.reduce((a, b) => a * b, 1);
  if (size === 0) return [];
  const message: FailureMessage = (position, value) =>
    new InstructionError(
      "checkRange",
      `${what ?? "value"} ${value} at position ${position} is outside [${low}, ${high})`,
    ).message;
  const copy = perElement(ctx, size, (b) => {
    const X = b.buffer(x);
    const O = b.buffer(kernel.out, true);
    return `${O.array}[${O.base} + t] = ${X.array}[${X.base} + t];`;
  });
  return [
    ...rangeCheck(ctx, x, size, { low, high, ...(except === undefined ? {} : { except }) }, message),
    copy,
  ];
};

/**
 * dequantize for the ggml types of the decode figures (F16, Q8_0, Q4_0): one
 * invocation per value, from its block's bytes (one byte per word here) and the block's
 * f16 scale, computed as the codec does (src/quant), so values are bit-identical. Other
 * types run the codec on the host. A quantized matmul decomposes into this and a matmul.
 */
type ByteReader = (index: string) => string;
const DEQUANTIZE: Readonly<
  Record<string, { block: number; bytes: number; value: (byte: ByteReader, scale: string) => string }>
> = {
  F16: { block: 1, bytes: 2, value: (_, scale) => scale },
  Q8_0: {
    block: 32,
    bytes: 34,
    value: (byte, d) => `f32(bitcast<i32>(${byte("at + 2 + j")} << 24u) >> 24u) * ${d}`,
  },
  Q4_0: {
    block: 32,
    bytes: 18,
    value: (byte, d) => `f32(i32((${byte("at + 2 + j % 16")} >> (4u * u32(j / 16))) & 15u) - 8i) * ${d}`,
  },
};

const dequantize: WebgpuInstructionKernel = (kernel, ctx) => {
  const type = DEQUANTIZE[kernel.attrs.type as string];
  if (!type) return undefined;
  const total = kernel.shape.reduce((a, b) => a * b, 1);
  if (total === 0) return [];
  const columns = kernel.shape[kernel.shape.length - 1]!;
  const main = perElement(ctx, total, (b) => {
    const W = b.buffer(kernel.inputs[0]!);
    const O = b.buffer(kernel.out, true);
    const [k, rowBytes] = [b.params.int(columns), b.params.int((columns / type.block) * type.bytes)];
    const byte: ByteReader = (i) => `(${W.array}[${W.base} + ${i}] & 0xffu)`;
    const scale = `unpack2x16float(${byte("at")} | (${byte("at + 1")} << 8u)).x`;
    return `let row = t / ${k};
    let column = t % ${k};
    let j = column % ${type.block};
    let at = row * ${rowBytes} + (column / ${type.block}) * ${type.bytes};
    ${O.array}[${O.base} + t] = bitcast<u32>(${type.value(byte, scale)});`;
  });
  return [main];
};

/**
 * The webgpu target's own kernels for whole instructions, by name. An instruction kernel
 * without an entry runs its reference semantics on the host (in Node, reading its inputs
 * back synchronously; in a browser, such a program fails, saying so). This is where WGSL
 * kernels for further instructions go: the quantized dequant-matmuls of the GGUF work.
 */
export const WEBGPU_KERNELS: KernelTable<WebgpuInstructionKernel> = {
  gather,
  scatterAdd,
  checkRange,
  dequantize,
  // Activations rounded as llama.cpp rounds them: the decomposition rounds with float32
  // tricks (c − (c − x), (y + 1.5·2²³) − 1.5·2²³) that a shader compiler may fold away
  // (SwiftShader does), so the rounded product runs its reference semantics on the host
  // until a shader rounds with integer operations. Unrounded products are decomposed.
  quantizedMatmul: Object.assign((): undefined => undefined, {
    accepts: (attrs: Attrs) => attrs.roundActivations === true,
  }),
};

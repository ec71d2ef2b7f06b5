import { buildGradients } from "../../src/autodiff/backward.js";
import { allocHost, type DType, type HostArray } from "../../src/ir/dtype.js";
import { withGradMode } from "../../src/ir/grad-mode.js";
import { Node } from "../../src/ir/node.js";
import { type Shape, sizeOf } from "../../src/ir/shape.js";
import { toHost } from "../../src/ir/storage.js";
import type { Instruction, RefValue } from "../../src/isa/instruction.js";
import { attachBuffer } from "../../src/runtime/memory.js";
import { realize } from "../../src/runtime/realize.js";
import type { Target } from "../../src/targets/target.js";

/** A test value: flat data, shape and dtype. */
export interface Value {
  readonly data: ArrayLike<number>;
  readonly shape: Shape;
  readonly dtype: DType;
}

export const f32 = (data: ArrayLike<number>, shape: Shape = [data.length]): Value => ({
  data,
  shape,
  dtype: "float32",
});
export const i32 = (data: ArrayLike<number>, shape: Shape = [data.length]): Value => ({
  data,
  shape,
  dtype: "int32",
});
/** Bytes: packed quantized weights. */
export const u8 = (data: ArrayLike<number>, shape: Shape = [data.length]): Value => ({
  data,
  shape,
  dtype: "uint8",
});
export const bool = (data: ArrayLike<number>, shape: Shape = [data.length]): Value => ({
  data,
  shape,
  dtype: "bool",
});

/** A leaf node holding a value; float64 storage for float32 when asked (gradient checks). */
export function leafOf(v: Value, float64 = false): Node {
  const buf: HostArray =
    float64 && v.dtype === "float32" ? new Float64Array(v.data.length) : allocHost(v.dtype, v.data.length);
  for (let i = 0; i < v.data.length; i++) buf[i] = v.data[i]!;
  const n = Node.leaf(v.shape, v.dtype);
  attachBuffer(n, buf);
  return n;
}

/** Runs an instruction through the whole pipeline (lowering included) on a target. */
export function runOnTarget(
  inst: Instruction,
  inputs: readonly Value[],
  attrs: object,
  target: Target,
): Value {
  const out = withGradMode(false, () => inst(...inputs.map((v) => leafOf(v)), attrs as never));
  realize([out], target);
  return { data: toHost(out.buffer!), shape: out.shape, dtype: out.dtype };
}

/** Runs an instruction's reference semantics directly: the oracle. Float values in float64 if asked. */
export function runOracle(
  inst: Instruction,
  inputs: readonly Value[],
  attrs: object,
  float64 = false,
): Value {
  const node = withGradMode(false, () => inst(...inputs.map((v) => leafOf(v, float64)), attrs as never));
  const refInputs: RefValue[] = node.inputs.map((n) => ({
    shape: n.shape,
    dtype: n.dtype,
    data: toHost(n.buffer!),
  }));
  const size = sizeOf(node.shape);
  const data = float64 && node.dtype === "float32" ? new Float64Array(size) : allocHost(node.dtype, size);
  inst.spec.ref!(refInputs, { shape: node.shape, dtype: node.dtype, data }, node.attrs);
  return { data, shape: node.shape, dtype: node.dtype };
}

/** Largest |a−b| / (atol/rtol + rtol·|b|) style check; returns a message on failure, undefined when close. */
export function compareValues(
  actual: Value,
  expected: Value,
  rtol: number,
  atol: number,
): string | undefined {
  if (actual.shape.join(",") !== expected.shape.join(",")) {
    return `shape [${actual.shape}] differs from expected [${expected.shape}]`;
  }
  if (actual.dtype !== expected.dtype) return `dtype ${actual.dtype} differs from expected ${expected.dtype}`;
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i]!;
    const b = expected.data[i]!;
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    if (a === b) continue;
    const err = Math.abs(a - b) / (atol + rtol * Math.abs(b));
    if (!(err <= worst)) {
      worst = Number.isNaN(err) ? Number.POSITIVE_INFINITY : err;
      at = i;
    }
  }
  if (worst > 1) {
    return `element ${at}: got ${actual.data[at]}, expected ${expected.data[at]} (error ${worst.toFixed(2)}× the tolerance rtol=${rtol}, atol=${atol})`;
  }
  return undefined;
}

/**
 * Checks an instruction's VJP against central finite differences of its reference
 * semantics, in float64. The scalar checked is Σ out·w for a fixed random w, so every
 * output element's gradient matters. Returns the max relative error and where.
 */
export function checkGradient(
  inst: Instruction,
  inputs: readonly Value[],
  attrs: object,
  ref64: Target,
  seed: number,
): { maxRelError: number; where: string } {
  const leaves = inputs.map((v) => {
    const n = leafOf(v, true);
    n.requiresGrad = v.dtype === "float32";
    return n;
  });
  const out = inst(...leaves, attrs as never);
  const rnd = lcg(seed);
  const w: Value = f32(
    Array.from({ length: sizeOf(out.shape) }, () => rnd() * 2 - 1),
    out.shape,
  );
  const differentiable = leaves.filter((n) => n.requiresGrad);
  const grads = withGradMode(false, () => buildGradients(out, differentiable, leafOf(w, true)));
  realize(grads, ref64);

  const objective = (vals: readonly Value[]) => {
    const o = runOracle(inst, vals, attrs, true);
    let s = 0;
    for (let i = 0; i < o.data.length; i++) s += o.data[i]! * w.data[i]!;
    return s;
  };
  let maxRelError = 0;
  let where = "";
  let g = 0;
  inputs.forEach((v, k) => {
    if (v.dtype !== "float32") return;
    const analytic = toHost(grads[g++]!.buffer!);
    for (let j = 0; j < v.data.length; j++) {
      const h = 1e-6 * Math.max(1, Math.abs(v.data[j]!));
      const at = (delta: number) =>
        inputs.map((u, m) =>
          m === k ? { ...u, data: Array.from(u.data, (x, i) => (i === j ? x + delta : x)) } : u,
        );
      const numeric = (objective(at(h)) - objective(at(-h))) / (2 * h);
      const err = Math.abs(analytic[j]! - numeric) / Math.max(1e-3, Math.abs(numeric));
      if (err > maxRelError || Number.isNaN(err)) {
        maxRelError = Number.isNaN(err) ? Number.POSITIVE_INFINITY : err;
        where = `operand ${k} element ${j}: analytic ${analytic[j]}, numeric ${numeric}`;
      }
    }
  });
  return { maxRelError, where };
}

/** A tiny deterministic generator for test data (not for the library). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

import type { DType } from "../ir/dtype.js";
import { checkShape, fmt, sizeOf } from "../ir/shape.js";
import { normalAt, uniformAt } from "./counter-random.js";
import { InstructionError } from "./errors.js";
import { defineInstruction, type TensorMeta } from "./instruction.js";

/** Instructions that create values: constants, ranges and counter-based random numbers. */

export const full = defineInstruction<{ value: number; shape: readonly number[]; dtype: DType }>({
  name: "full",
  doc: "a tensor filled with one value",
  operands: 0,
  attrs: { value: "float", shape: "ints", dtype: "dtype" },
  canonicalize: (_, a) => ({ ...a, shape: checkShape(a.shape, "full") }),
  shape: (_, { shape }) => shape,
  dtype: (_, { dtype }) => dtype,
  ref: (_, out, { value }) => out.data.fill(value),
});

export const arange = defineInstruction<{ start: number; step: number; length: number; dtype: DType }>({
  name: "arange",
  doc: "start, start+step, … (length values): iota",
  operands: 0,
  attrs: { start: "float", step: "float", length: "int", dtype: "dtype" },
  shape: (_, { length }) => {
    if (length < 0) throw new InstructionError("arange", `length must be ≥ 0, got ${length}`);
    return [length];
  },
  dtype: (_, { dtype }) => {
    if (dtype === "bool") throw new InstructionError("arange", "dtype must be float32 or int32");
    return dtype;
  },
  ref: (_, out, { start, step }) => {
    for (let i = 0; i < out.data.length; i++) out.data[i] = start + i * step;
  },
});

function randomShape(name: string) {
  return ([seed]: readonly TensorMeta[], { shape }: { shape: readonly number[] }) => {
    if (seed!.dtype !== "int32" || sizeOf(seed!.shape) !== 1) {
      throw new InstructionError(name, `the seed is one int32 value, got ${seed!.dtype} ${fmt(seed!.shape)}`);
    }
    return checkShape(shape, name);
  };
}

export const randomUniform = defineInstruction<{ shape: readonly number[] }>({
  name: "randomUniform",
  doc: "uniform [0,1) from a seed tensor, counter-based (same values on every target)",
  operands: 1,
  attrs: { shape: "ints" },
  shape: randomShape("randomUniform"),
  dtype: () => "float32",
  ref: ([seed], out) => {
    const s = seed!.data[0]! >>> 0;
    for (let i = 0; i < out.data.length; i++) out.data[i] = uniformAt(s, i);
  },
  differentiable: false,
});

export const randomNormal = defineInstruction<{ shape: readonly number[] }>({
  name: "randomNormal",
  doc: "standard normal from a seed tensor, counter-based (same values on every target)",
  operands: 1,
  attrs: { shape: "ints" },
  shape: randomShape("randomNormal"),
  dtype: () => "float32",
  ref: ([seed], out) => {
    const s = seed!.data[0]! >>> 0;
    for (let i = 0; i < out.data.length; i++) out.data[i] = normalAt(s, i);
  },
  differentiable: false,
});

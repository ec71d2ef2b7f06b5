import { fmt, normalizeAxis, sameShape, sizeOf } from "../ir/shape.js";
import { full } from "./creation.js";
import { InstructionError } from "./errors.js";
import { defineInstruction, type Instruction, type RefValue, type TensorMeta } from "./instruction.js";

/**
 * gather takes whole slices of `x` along `axis` at integer `indices` (NumPy's `take`):
 * out.shape = x.shape[:axis] + indices.shape + x.shape[axis+1:]. Embedding lookup is
 * gather on axis 0. scatterAdd is its adjoint: it adds such slices back into a tensor.
 */

function gatheredShape(x: TensorMeta, indices: TensorMeta, axis: number): number[] {
  return [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
}

function checkIndices(name: string, indices: TensorMeta) {
  if (indices.dtype !== "int32")
    throw new InstructionError(name, `indices must be int32, got ${indices.dtype}`);
}

/** Walks (outer, index position, inner) triples shared by gather and scatterAdd. */
function forEachTaken(
  name: string,
  x: TensorMeta,
  indices: RefValue,
  axis: number,
  visit: (xOffset: number, takenOffset: number, inner: number) => void,
) {
  const outer = sizeOf(x.shape.slice(0, axis));
  const inner = sizeOf(x.shape.slice(axis + 1));
  const len = x.shape[axis]!;
  const count = indices.data.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < count; j++) {
      const idx = indices.data[j]!;
      if (idx < 0 || idx >= len) {
        throw new InstructionError(name, `index ${idx} is out of range for axis ${axis} of size ${len}`);
      }
      visit((o * len + idx) * inner, (o * count + j) * inner, inner);
    }
  }
}

export const gather: Instruction<{ axis: number }> = defineInstruction<{ axis: number }>({
  name: "gather",
  doc: "takes slices of x at integer indices along an axis (NumPy take)",
  operands: 2,
  attrs: { axis: "int" },
  canonicalize: ([x], { axis }) => ({ axis: normalizeAxis(axis, x!.shape.length, "gather") }),
  shape: ([x, indices], { axis }) => {
    checkIndices("gather", indices!);
    if (x!.shape.length === 0) throw new InstructionError("gather", "cannot gather from a scalar");
    return gatheredShape(x!, indices!, axis);
  },
  dtype: ([x]) => x!.dtype,
  ref: ([x, indices], out, { axis }) => {
    forEachTaken("gather", x!, indices!, axis, (xo, to, inner) => {
      for (let k = 0; k < inner; k++) out.data[to + k] = x!.data[xo + k]!;
    });
  },
  vjp: (g, { inputs: [x, indices], attrs }) => [
    scatterAdd(full({ value: 0, shape: x!.shape, dtype: x!.dtype }), indices!, g, attrs),
    undefined,
  ],
});

export const scatterAdd: Instruction<{ axis: number }> = defineInstruction<{ axis: number }>({
  name: "scatterAdd",
  doc: "x with slices of updates added at integer indices along an axis (gather's adjoint)",
  operands: 3,
  attrs: { axis: "int" },
  canonicalize: ([x], { axis }) => ({ axis: normalizeAxis(axis, x!.shape.length, "scatterAdd") }),
  shape: ([x, indices, updates], { axis }) => {
    checkIndices("scatterAdd", indices!);
    const want = gatheredShape(x!, indices!, axis);
    if (!sameShape(want, updates!.shape)) {
      throw new InstructionError(
        "scatterAdd",
        `updates have shape ${fmt(updates!.shape)}, expected ${fmt(want)} for x ${fmt(x!.shape)} and indices ${fmt(indices!.shape)}`,
      );
    }
    return x!.shape;
  },
  dtype: ([x, , updates]) => {
    if (x!.dtype !== updates!.dtype) {
      throw new InstructionError(
        "scatterAdd",
        `dtypes differ: x is ${x!.dtype}, updates are ${updates!.dtype}`,
      );
    }
    return x!.dtype;
  },
  ref: ([x, indices, updates], out, { axis }) => {
    out.data.set(x!.data);
    forEachTaken("scatterAdd", x!, indices!, axis, (xo, to, inner) => {
      for (let k = 0; k < inner; k++) out.data[xo + k]! += updates!.data[to + k]!;
    });
  },
  vjp: (g, { inputs: [, indices], attrs }) => [g, undefined, gather(g, indices!, attrs)],
});

export type CheckRangeAttrs = {
  low: number;
  high: number;
  /** A value allowed outside the range (an ignore index). */
  except?: number;
  /** What the values are, for the error message ("targets", "ids"). */
  what?: string;
};

/**
 * Passes integer values through unchanged, failing the computation if one lies outside
 * [low, high). Composites that consume ids put it in front of instructions that would
 * otherwise turn a bad id into a silently wrong answer (a one-hot row of zeros).
 */
export const checkRange = defineInstruction<CheckRangeAttrs>({
  name: "checkRange",
  doc: "passes int32 values through, failing if one lies outside [low, high)",
  operands: 1,
  attrs: { low: "int", high: "int", except: "int?", what: "string?" },
  shape: ([x]) => x!.shape,
  dtype: ([x]) => {
    if (x!.dtype !== "int32")
      throw new InstructionError("checkRange", `expects int32 values, got ${x!.dtype}`);
    return x!.dtype;
  },
  ref: ([x], out, { low, high, except, what }) => {
    for (let i = 0; i < x!.data.length; i++) {
      const v = x!.data[i]!;
      if ((v < low || v >= high) && v !== except) {
        throw new InstructionError(
          "checkRange",
          `${what ?? "value"} ${v} at position ${i} is outside [${low}, ${high})`,
        );
      }
      out.data[i] = v;
    }
  },
  differentiable: false,
});

import type { DType } from "../ir/dtype.js";
import { fmt, normalizeAxis } from "../ir/shape.js";
import { broadcastTo } from "./broadcast.js";
import { cast } from "./cast.js";
import { arange } from "./creation.js";
import { checkDType } from "./elementwise.js";
import { InstructionError } from "./errors.js";
import { gather } from "./indexing.js";
import { defineInstruction } from "./instruction.js";
import { reshape } from "./movement.js";
import { reduceMax } from "./reduce.js";
import { forEachLane } from "./ref-loops.js";
import { cmpeq, sub } from "./scalar-ops.js";
import { where } from "./where.js";

/** Instructions that map between integer ids and vectors: embedding, one-hot, argmax. */

export const embedding = defineInstruction({
  name: "embedding",
  doc: "rows of a [vocab, dim] table at integer ids: gather on axis 0",
  operands: 2,
  shape: ([w, ids]) => {
    if (w!.shape.length !== 2)
      throw new InstructionError("embedding", `table must be 2-D, got ${fmt(w!.shape)}`);
    if (ids!.dtype !== "int32")
      throw new InstructionError("embedding", `ids must be int32, got ${ids!.dtype}`);
    return [...ids!.shape, w!.shape[1]!];
  },
  dtype: ([w]) => w!.dtype,
  ref: ([w, ids], out) => {
    const [vocab, dim] = w!.shape as [number, number];
    for (let j = 0; j < ids!.data.length; j++) {
      const id = ids!.data[j]!;
      if (id < 0 || id >= vocab)
        throw new InstructionError("embedding", `id ${id} is out of range for ${vocab} rows`);
      for (let k = 0; k < dim; k++) out.data[j * dim + k] = w!.data[id * dim + k]!;
    }
  },
  decompose: ([w, ids]) => gather(w!, ids!, { axis: 0 }),
});

export const oneHot = defineInstruction<{ depth: number; dtype?: DType }>({
  name: "oneHot",
  doc: "1 at each id's position along a new last axis of size depth (ids outside [0, depth) give all zeros)",
  operands: 1,
  attrs: { depth: "int", dtype: "dtype?" },
  canonicalize: ([ids], a) => {
    if (ids!.dtype !== "int32") throw new InstructionError("oneHot", `ids must be int32, got ${ids!.dtype}`);
    if (a.depth < 0) throw new InstructionError("oneHot", `depth must be ≥ 0, got ${a.depth}`);
    return { depth: a.depth, dtype: a.dtype ?? "float32" };
  },
  ref: ([ids], out, { depth }) => {
    out.data.fill(0);
    for (let j = 0; j < ids!.data.length; j++) {
      const id = ids!.data[j]!;
      if (id >= 0 && id < depth) out.data[j * depth + id] = 1;
    }
  },
  decompose: ([ids], { depth, dtype }) => {
    const shape = [...ids!.shape, depth];
    const column = broadcastTo(reshape(ids!, { shape: [...ids!.shape, 1] }), shape);
    const positions = broadcastTo(arange({ start: 0, step: 1, length: depth, dtype: "int32" }), shape);
    return cast(cmpeq(column, positions), { dtype: dtype! });
  },
  differentiable: false,
});

type ArgmaxAttrs = {
  axis?: number;
  keepdims?: boolean;
};

export const argmax = defineInstruction<ArgmaxAttrs>({
  name: "argmax",
  doc: "index of the first maximum along an axis (default −1), as int32",
  operands: 1,
  attrs: { axis: "int?", keepdims: "bool?" },
  canonicalize: ([x], a) => {
    checkDType("argmax", x!.dtype, "numeric");
    const axis = normalizeAxis(a.axis ?? -1, x!.shape.length, "argmax");
    if (x!.shape[axis] === 0)
      throw new InstructionError("argmax", `axis ${axis} of ${fmt(x!.shape)} is empty`);
    return { axis, keepdims: a.keepdims ?? false };
  },
  ref: ([x], out, { axis }) => {
    // Lanes come in the row-major order of the reduced output.
    let o = 0;
    forEachLane(x!.shape, axis!, (start, stride, length) => {
      let best = 0;
      for (let i = 1; i < length; i++)
        if (x!.data[start + i * stride]! > x!.data[start + best * stride]!) best = i;
      out.data[o++] = best;
    });
  },
  // The first maximum is the one with the largest (length − 1 − index).
  decompose: ([x], { axis, keepdims }) => {
    const a = axis!;
    const n = x!.shape[a]!;
    const keepShape = x!.shape.map((d, i) => (i === a ? 1 : d));
    const isMax = cmpeq(x!, broadcastTo(reduceMax(x!, { axes: [a], keepdims: true }), x!.shape));
    const iotaShape = x!.shape.map((d, i) => (i === a ? d : 1));
    const reversed = reshape(arange({ start: n - 1, step: -1, length: n, dtype: "int32" }), {
      shape: iotaShape,
    });
    const score = where(isMax, broadcastTo(reversed, x!.shape), -1);
    const best = reduceMax(score, { axes: [a], keepdims: true });
    const index = sub(n - 1, best);
    return keepdims ? index : reshape(index, { shape: keepShape.filter((_, i) => i !== a) });
  },
  differentiable: false,
});

import { fmt } from "../ir/shape.js";
import { InstructionError } from "./errors.js";
import { gather } from "./indexing.js";
import { defineInstruction, type Instruction } from "./instruction.js";
import { sum } from "./reduce.js";
import { mul } from "./scalar-ops.js";

type SparseMatmulAttrs = { rows: number };

/**
 * A sparse matrix (COO: entry n is `values[n]` at row `rowIds[n]`, column `colIds[n]`)
 * times a dense [columns, D] matrix, giving [rows, D]. Bag-of-features models use it as
 * an embedding bag: each document is a row, each feature a column, and a document's
 * vector is the weighted sum of its features' rows, touching only the stored entries
 * instead of multiplying a dense one-hot matrix. Its gradient with respect to the dense
 * matrix is the same instruction with rows and columns swapped.
 */
export const sparseMatmul: Instruction<SparseMatmulAttrs> = defineInstruction<SparseMatmulAttrs>({
  name: "sparseMatmul",
  doc: "sparse (COO rowIds, colIds, values) × dense [cols, D] → [rows, D]: out[rowIds[n]] += values[n]·dense[colIds[n]]",
  operands: 4,
  attrs: { rows: "int" },
  canonicalize: (_, a) => {
    if (!Number.isInteger(a.rows) || a.rows < 0) {
      throw new InstructionError("sparseMatmul", `rows must be an integer ≥ 0, got ${a.rows}`);
    }
    return a;
  },
  shape: ([rowIds, colIds, values, dense], { rows }) => {
    for (const [what, ids] of [
      ["rowIds", rowIds!],
      ["colIds", colIds!],
    ] as const) {
      if (ids.dtype !== "int32")
        throw new InstructionError("sparseMatmul", `${what} must be int32, got ${ids.dtype}`);
    }
    const n = values!.shape;
    if (n.length !== 1 || rowIds!.shape.length !== 1 || colIds!.shape.length !== 1) {
      throw new InstructionError(
        "sparseMatmul",
        `rowIds, colIds and values must be 1-D, got ${fmt(rowIds!.shape)}, ${fmt(colIds!.shape)}, ${fmt(n)}`,
      );
    }
    if (rowIds!.shape[0] !== n[0] || colIds!.shape[0] !== n[0]) {
      throw new InstructionError(
        "sparseMatmul",
        `rowIds ${fmt(rowIds!.shape)}, colIds ${fmt(colIds!.shape)} and values ${fmt(n)} must have one entry each`,
      );
    }
    if (dense!.shape.length !== 2) {
      throw new InstructionError("sparseMatmul", `the dense operand must be 2-D, got ${fmt(dense!.shape)}`);
    }
    return [rows, dense!.shape[1]!];
  },
  dtype: ([, , values, dense]) => {
    if (values!.dtype !== dense!.dtype || dense!.dtype === "int32" || dense!.dtype === "bool") {
      throw new InstructionError(
        "sparseMatmul",
        `values and the dense operand must share a float dtype, got ${values!.dtype} and ${dense!.dtype}`,
      );
    }
    return dense!.dtype;
  },
  ref: ([rowIds, colIds, values, dense], out, { rows }) => {
    const columns = dense!.shape[0]!;
    const d = dense!.shape[1]!;
    const r = rowIds!.data;
    const c = colIds!.data;
    const v = values!.data;
    const w = dense!.data;
    const o = out.data;
    o.fill(0);
    for (let n = 0; n < v.length; n++) {
      const row = r[n]!;
      const col = c[n]!;
      if (row < 0 || row >= rows || col < 0 || col >= columns) {
        throw new InstructionError(
          "sparseMatmul",
          `entry ${n} at (${row}, ${col}) is outside the ${rows} × ${columns} sparse matrix`,
        );
      }
    }
    if (d === 1) {
      // One output column (a binary linear model): consecutive entries of one row, the
      // usual order, accumulate in a local before touching memory.
      let row = v.length > 0 ? r[0]! : 0;
      let acc = 0;
      for (let n = 0; n < v.length; n++) {
        if (r[n] !== row) {
          o[row]! += acc;
          acc = 0;
          row = r[n]!;
        }
        acc += v[n]! * w[c[n]!]!;
      }
      if (v.length > 0) o[row]! += acc;
      return;
    }
    for (let n = 0; n < v.length; n++) {
      const value = v[n]!;
      const from = c[n]! * d;
      const to = r[n]! * d;
      for (let k = 0; k < d; k++) o[to + k]! += value * w[from + k]!;
    }
  },
  vjp: (g, { inputs: [rowIds, colIds, values, dense] }) => [
    undefined,
    undefined,
    // d/dvalues[n] = g[rowIds[n]] · dense[colIds[n]] (built lazily: computed only if used)
    sum(mul(gather(g, rowIds!, { axis: 0 }), gather(dense!, colIds!, { axis: 0 })), { axes: [1] }),
    sparseMatmul(colIds!, rowIds!, values!, g, { rows: dense!.shape[0]! }),
  ],
});

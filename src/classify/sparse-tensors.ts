// Sparse rows as the operands of the sparseMatmul instruction: one (row, column, value)
// triple per stored entry. Built once per data set and reused by every step.
import { sparseMatmul } from "../isa/index.js";
import { tensor } from "../tensor/creation.js";
import { call, type Tensor } from "../tensor/tensor.js";
import type { SparseRows } from "../text/tfidf.js";

export interface SparseTensors {
  rows: number;
  columns: number;
  rowIds: Tensor;
  colIds: Tensor;
  values: Tensor;
}

export function sparseTensors(m: SparseRows): SparseTensors {
  const rowIds = new Int32Array(m.values.length);
  for (let r = 0; r < m.rows; r++) rowIds.fill(r, m.indptr[r]!, m.indptr[r + 1]!);
  return {
    rows: m.rows,
    columns: m.columns,
    rowIds: tensor(rowIds, [rowIds.length]),
    colIds: tensor(m.indices, [m.indices.length]),
    values: tensor(m.values, [m.values.length]),
  };
}

/** The sparse rows times a dense [columns, D] matrix: [rows, D]. */
export function sparseTimes(x: SparseTensors, dense: Tensor): Tensor {
  if (dense.shape[0] !== x.columns) {
    throw new Error(`sparse features have ${x.columns} columns but the weights have ${dense.shape[0]} rows`);
  }
  return call(sparseMatmul, x.rowIds, x.colIds, x.values, dense, { rows: x.rows });
}

/** Sparse rows times a dense matrix: (Xᵀ)·dense, [columns, D] from dense [rows, D]. */
export function sparseTransposeTimes(x: SparseTensors, dense: Tensor): Tensor {
  return call(sparseMatmul, x.colIds, x.rowIds, x.values, dense, { rows: x.columns });
}

import type { MatmulKernel } from "./kernel-ir.js";

/**
 * The element offsets of A and B for each batch of a matmul kernel, as [batch][2] int32:
 * any broadcast or strided batch layout reduces to this table, which kernels read per unit.
 */
export function matmulBatchTable(kernel: MatmulKernel): Int32Array {
  const batchShape = kernel.shape.slice(0, -2);
  const count = batchShape.reduce((a, b) => a * b, 1);
  const table = new Int32Array(count * 2);
  const rank = batchShape.length;
  for (let t = 0; t < count; t++) {
    let rem = t;
    let a = kernel.a.view.offset;
    let b = kernel.b.view.offset;
    for (let d = rank - 1; d >= 0; d--) {
      const i = rem % batchShape[d]!;
      rem = Math.floor(rem / batchShape[d]!);
      a += i * kernel.a.view.strides[d]!;
      b += i * kernel.b.view.strides[d]!;
    }
    table[2 * t] = a;
    table[2 * t + 1] = b;
  }
  return table;
}

import { sizeOf } from "../../ir/shape.js";
import { substitute } from "./expr.js";
import { readsOf, writesOf } from "./kernel-buffers.js";
import type { Expr, Kernel, KernelProgram, MatmulKernel } from "./kernel-ir.js";
import { reshapeView } from "./view.js";

/**
 * Moves the elementwise kernel that consumes a matmul's product into the matmul, applied to
 * each product in registers before it is stored: a linear layer's bias and activation, a
 * residual add. Only for 2-D products (batched inputs of a linear layer are folded into rows
 * by then), whose other operands can be read along the product's columns (stride 0 or 1).
 */
export function fuseMatmulEpilogues(program: KernelProgram): KernelProgram {
  const kernels: (Kernel | undefined)[] = [...program.kernels];
  const outputs = new Set(program.outputs);
  const written = (b: number) => kernels.findIndex((k) => k !== undefined && writesOf(k).includes(b));
  for (let i = 0; i < kernels.length; i++) {
    const m = kernels[i];
    if (m?.kind !== "matmul" || m.epilogue || m.shape.length !== 2 || outputs.has(m.out)) continue;
    const readers = kernels.flatMap((k, j) => (k && j > i && readsOf(k).includes(m.out) ? [j] : []));
    if (readers.length !== 1) continue;
    const e = kernels[readers[0]!]!;
    if (e.kind !== "elementwise" || e.outView || sizeOf(e.shape) !== sizeOf(m.shape)) continue;
    const shape = m.shape;
    let fine = true;
    const epilogue = substitute(e.expr, (x) => {
      if (x.kind !== "load" && x.kind !== "iota" && x.kind !== "random") return undefined;
      const view = reshapeView(x.view, shape);
      if (!view || !(view.strides[1] === 0 || view.strides[1] === 1)) {
        fine = false;
        return x;
      }
      if (x.kind === "load" && x.buffer === m.out) {
        if (view.offset !== 0 || view.strides[0] !== shape[1] || view.strides[1] !== 1) fine = false;
        return { kind: "reduced", dtype: "float32" } as Expr;
      }
      if (x.kind === "random") fine = false; // counters are per element: kept scalar elsewhere
      const buffer = x.kind === "load" ? x.buffer : undefined;
      if (buffer !== undefined && written(buffer) > i) fine = false;
      return { ...x, view };
    });
    if (!fine) continue;
    const fused: MatmulKernel = { ...m, out: e.out, epilogue, fused: [...m.fused, ...e.fused] };
    kernels[i] = fused;
    kernels[readers[0]!] = undefined;
  }
  return { ...program, kernels: kernels.filter((k): k is Kernel => k !== undefined) };
}

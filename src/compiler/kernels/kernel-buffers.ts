import { exprBuffers } from "./expr.js";
import type { Kernel } from "./kernel-ir.js";

const reads = new WeakMap<Kernel, readonly number[]>();

/**
 * Buffers a kernel reads, epilogues included. Kept per kernel (kernels are not changed once
 * made, only replaced): the fusion passes ask for every kernel's reads once per candidate.
 */
export function readsOf(kernel: Kernel): readonly number[] {
  let buffers = reads.get(kernel);
  if (!buffers) {
    buffers = computeReads(kernel);
    reads.set(kernel, buffers);
  }
  return buffers;
}

function computeReads(kernel: Kernel): number[] {
  switch (kernel.kind) {
    case "elementwise":
      return exprBuffers(kernel.expr);
    case "reduce":
      return [...exprBuffers(kernel.expr), ...(kernel.epilogue ? exprBuffers(kernel.epilogue.expr) : [])];
    case "matmul":
      return [kernel.a.buffer, kernel.b.buffer, ...(kernel.epilogue ? exprBuffers(kernel.epilogue) : [])];
    case "instruction":
      return [...kernel.inputs];
  }
}

/** Buffers a kernel writes: its output, and a reduction epilogue's. */
export function writesOf(kernel: Kernel): number[] {
  return kernel.kind === "reduce" && kernel.epilogue ? [kernel.out, kernel.epilogue.out] : [kernel.out];
}

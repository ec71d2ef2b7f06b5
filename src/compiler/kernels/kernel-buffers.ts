import { exprBuffers } from "./expr.js";
import type { Kernel } from "./kernel-ir.js";

/** Buffers a kernel reads, epilogues included. */
export function readsOf(kernel: Kernel): number[] {
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

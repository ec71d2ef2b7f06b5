import type { Kernel } from "./kernel-ir.js";

/**
 * The work a kernel does: multiply-adds for a matmul, elements for the others. Targets
 * compare it with the size below which waking worker threads costs more than it saves.
 */
export function kernelWork(kernel: Kernel): number {
  const elements = kernel.shape.reduce((a, b) => a * b, 1);
  if (kernel.kind !== "matmul") return elements;
  return elements * kernel.a.view.shape[kernel.a.view.shape.length - 1]!;
}

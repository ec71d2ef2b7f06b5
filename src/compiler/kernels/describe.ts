import type { Kernel } from "./kernel-ir.js";

/** One line per kernel for `explain`: what it computes and which instructions it fused. */
export function describeKernel(kernel: Kernel): { kind: string; shape: string; fused: string } {
  const shape = (s: readonly number[]) => `[${s.join(",")}]`;
  switch (kernel.kind) {
    case "elementwise":
      return { kind: "elementwise", shape: shape(kernel.shape), fused: kernel.fused.join(" ") };
    case "reduce":
      return {
        kind: `reduce-${kernel.op}`,
        shape: `${shape(kernel.shape)} over ${shape(kernel.axes)}`,
        fused: kernel.fused.join(" "),
      };
    case "matmul": {
      const r = kernel.shape.length;
      const k = kernel.a.view.shape[r - 1];
      return {
        kind: "matmul",
        shape: `${shape(kernel.shape.slice(0, -2))} ${kernel.shape[r - 2]}×${k}×${kernel.shape[r - 1]}`,
        fused: kernel.fused.join(" "),
      };
    }
    case "instruction":
      return { kind: "instruction", shape: shape(kernel.shape), fused: kernel.fused.join(" ") };
  }
}

import type { FuseHandler } from "./fusion.js";

/**
 * Any other instruction runs whole on contiguous buffers: the target's own kernel for it,
 * or its reference semantics (see InstructionKernel).
 */
export const fuseInstruction: FuseHandler = (step, f) => {
  const info = f.program.slots[step.output]!;
  const operands = step.inputs.map((s) => f.materialize(f.valueAt(s)));
  const out = f.newBuffer(info.shape, info.dtype);
  f.kernels.push({
    kind: "instruction",
    instruction: step.instruction,
    attrs: step.attrs,
    inputs: operands.map((o) => o.buffer),
    inputShapes: operands.map((o) => o.view.shape),
    out,
    shape: info.shape,
    fused: [step.instruction.name],
  });
  return f.wholeBuffer(out, info.shape, info.dtype);
};

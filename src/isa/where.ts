import { unbroadcast } from "./broadcast.js";
import { broadcastOrThrow, sameDTypeOrThrow } from "./elementwise.js";
import { InstructionError } from "./errors.js";
import { defineInstruction, type Instruction } from "./instruction.js";
import { broadcastIndex } from "./ref-loops.js";

/** where(cond, a, b): a where cond is true, else b; all three broadcast together. */
export const where: Instruction = defineInstruction({
  name: "where",
  doc: "cond ? a : b, broadcasting all three",
  operands: 3,
  elementwise: true,
  shape: (inputs) => broadcastOrThrow("where", inputs),
  dtype: ([cond, a, b]) => {
    if (cond!.dtype !== "bool")
      throw new InstructionError("where", `condition must be bool, got ${cond!.dtype}`);
    return sameDTypeOrThrow("where", [a!, b!]);
  },
  ref: ([cond, a, b], out) => {
    const ic = broadcastIndex(cond!.shape, out.shape);
    const ia = broadcastIndex(a!.shape, out.shape);
    const ib = broadcastIndex(b!.shape, out.shape);
    for (let i = 0; i < out.data.length; i++) {
      out.data[i] = cond!.data[ic[i]!] ? a!.data[ia[i]!]! : b!.data[ib[i]!]!;
    }
  },
  vjp: (g, { inputs: [cond, a, b] }) => [
    undefined,
    unbroadcast(where(cond!, g, 0), a!.shape),
    unbroadcast(where(cond!, 0, g), b!.shape),
  ],
});

import { type DType, isFloat } from "../ir/dtype.js";
import { InstructionError } from "./errors.js";
import { defineInstruction, type Instruction } from "./instruction.js";

/** Converts dtype. Float → int truncates toward zero (as C does); anything → bool is x ≠ 0. */
export const cast: Instruction<{ dtype: DType }> = defineInstruction<{ dtype: DType }>({
  name: "cast",
  doc: "converts to another dtype (float→int truncates toward zero)",
  operands: 1,
  attrs: { dtype: "dtype" },
  elementwise: true,
  shape: ([x]) => x!.shape,
  dtype: ([x], { dtype }) => {
    if (dtype === "uint8" && x!.dtype !== "uint8") {
      throw new InstructionError("cast", `cannot cast ${x!.dtype} to uint8 (uint8 holds packed bytes)`);
    }
    return dtype;
  },
  ref: ([x], out, { dtype }) => {
    const src = x!.data;
    if (dtype === "bool") for (let i = 0; i < src.length; i++) out.data[i] = src[i] ? 1 : 0;
    else if (dtype === "int32") for (let i = 0; i < src.length; i++) out.data[i] = Math.trunc(src[i]!);
    else out.data.set(src);
  },
  vjp: (g, { inputs: [x] }) => [isFloat(x!.dtype) ? cast(g, { dtype: x!.dtype }) : undefined],
});

import { uniformAt } from "./counter-random.js";
import { randomUniform } from "./creation.js";
import { InstructionError } from "./errors.js";
import { defineInstruction } from "./instruction.js";
import { cmplt, div } from "./scalar-ops.js";
import { where } from "./where.js";

/**
 * Inverted dropout: zeroes each element with probability p and scales the rest by
 * 1/(1−p). The mask comes from counter-based random numbers of a seed tensor, so it is
 * the same on every target and the backward pass sees the very mask the forward used.
 */
export const dropout = defineInstruction<{ p: number }>({
  name: "dropout",
  doc: "zeroes elements with probability p, scales the rest by 1/(1−p); mask from a seed tensor",
  operands: 2,
  attrs: { p: "float" },
  canonicalize: ([x], { p }) => {
    if (!(p >= 0 && p < 1)) throw new InstructionError("dropout", `p must be in [0, 1), got ${p}`);
    if (x!.dtype !== "float32") throw new InstructionError("dropout", `expects float32, got ${x!.dtype}`);
    return { p };
  },
  ref: ([x, seed], out, { p }) => {
    const s = seed!.data[0]! >>> 0;
    for (let i = 0; i < out.data.length; i++) out.data[i] = uniformAt(s, i) < p ? 0 : x!.data[i]! / (1 - p);
  },
  decompose: ([x, seed], { p }) =>
    where(cmplt(randomUniform(seed!, { shape: x!.shape }), p), 0, div(x!, 1 - p)),
});

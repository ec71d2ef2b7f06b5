/**
 * The instruction set. Importing this module registers every built-in instruction.
 * Primitives first (the base every target implements), then composites.
 */

export * from "./activations.js";
export * from "./cast.js";
export * from "./convolution.js";
export * from "./creation.js";
export * from "./ctc.js";
export * from "./dropout.js";
export { InstructionError } from "./errors.js";
export * from "./indexing.js";
export {
  defineInstruction,
  type Instruction,
  type InstructionSpec,
  lookupInstruction,
  type Operand,
  type RefValue,
  registeredInstructions,
  type TensorMeta,
  type VjpContext,
} from "./instruction.js";
export * from "./lookup.js";
export * from "./losses.js";
export * from "./matmul.js";
export * from "./movement.js";
export * from "./normalization.js";
export * from "./pooling.js";
export * from "./quantized.js";
export * from "./recurrent.js";
export * from "./reduce.js";
export * from "./resize.js";
export * from "./scalar-ops.js";
export * from "./softmax.js";
export * from "./sparse.js";
export * from "./spectral.js";
export * from "./statistics.js";
export * from "./where.js";

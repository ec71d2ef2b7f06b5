/**
 * infiniset: an open instruction set, lazy tensors, autograd and a compiler to kernels.
 *
 * Everyday use goes through `Tensor` and the creation functions; `defineInstruction`
 * and the `isa` namespace are for adding instructions of your own.
 */

export {
  clearProgramCache,
  compileCount,
  programCacheStats,
  setProgramCacheLimits,
} from "./compiler/compile.js";
export type { Program } from "./compiler/program.js";
export type { ProgramCacheLimits, ProgramCacheStats } from "./compiler/program-cache.js";
export { DTYPES, type DType, type HostArray } from "./ir/dtype.js";
export type { Node } from "./ir/node.js";
export { type Shape, ShapeError } from "./ir/shape.js";
export * as isa from "./isa/index.js";
export {
  defineInstruction,
  type Instruction,
  InstructionError,
  type InstructionSpec,
  registeredInstructions,
} from "./isa/index.js";
/** Evaluation metrics (checked against scikit-learn and sacrebleu), k-fold splits, bootstrap intervals. */
export * as metrics from "./metrics/index.js";
/** Layers and modules, as in torch.nn. */
export * as nn from "./nn/index.js";
/** Optimizers, learning-rate schedules and gradient clipping, as in torch.optim. */
export * as optim from "./optim/index.js";
/** ggml's tensor types (F16, BF16, Q8_0, Q4_K, …): quantize and dequantize, bit-exact with ggml. */
export * as quant from "./quant/index.js";
export { defaultTarget, setDefaultTarget, withTarget } from "./runtime/default-target.js";
export type { Explanation } from "./runtime/explain.js";
export { memoryStats } from "./runtime/memory.js";
export {
  availableTargets,
  createNativeTarget,
  createRefTarget,
  createWasmTarget,
  getTarget,
  initWebgpu,
  registerTarget,
  type Target,
} from "./targets/index.js";
export {
  type CompileArg,
  type CompiledFunction,
  type CompileOptions,
  type CompileResult,
  type CompileStats,
  compile,
  compileEnabled,
  setCompileEnabled,
} from "./tensor/compile.js";
export {
  arange,
  type CreateOptions,
  eye,
  full,
  linspace,
  manualSeed,
  ones,
  type RandomOptions,
  rand,
  randn,
  tensor,
  zeros,
} from "./tensor/creation.js";
export { grad, gradients, noGrad, valueAndGrad } from "./tensor/functional.js";
export {
  batchNorm,
  concat,
  crossEntropy,
  ctcLoss,
  dropout,
  embedding,
  layerNorm,
  oneHot,
  rmsNorm,
  stack,
  where,
} from "./tensor/functions.js";
export type { NestedArray } from "./tensor/nested.js";
export { dequantizeRows, quantizedMatmul, quantizeRows } from "./tensor/quantized.js";
export {
  type ConvOptions,
  call,
  type LogMelOptions,
  type Pair,
  Tensor,
  type TensorLike,
} from "./tensor/tensor.js";

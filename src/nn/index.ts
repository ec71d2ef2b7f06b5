export { AttentionCache } from "./attention-cache.js";
export { causalMask } from "./causal-mask.js";
export { Conv1d } from "./conv1d.js";
export { Dropout, type DropoutOptions } from "./dropout.js";
export { Embedding } from "./embedding.js";
export { Gru } from "./gru.js";
export { type InitOptions, linearDefault, normal, uniform } from "./init.js";
export { LayerNorm, type LayerNormOptions } from "./layer-norm.js";
export { Linear, type LinearOptions } from "./linear.js";
export { Lstm, type LstmOutput, type LstmState } from "./lstm.js";
export { Mlp, type MlpOptions } from "./mlp.js";
export {
  type LoadStateDictOptions,
  type LoadStateDictResult,
  Module,
  type StateDict,
} from "./module.js";
export { ModuleList } from "./module-list.js";
export { MultiHeadAttention, type MultiHeadAttentionOptions } from "./multi-head-attention.js";
export { positionIds } from "./position-ids.js";
export { QuantizedLinear, type QuantizedLinearOptions } from "./quantized-linear.js";
export { RecurrentLayer, type RecurrentOptions, type RecurrentWeights } from "./recurrent-layer.js";
export { RmsNorm } from "./rms-norm.js";
export { Rnn, type RnnOptions, type RnnOutput } from "./rnn.js";
export { SeedStream } from "./seed-stream.js";
export { type Layer, Sequential } from "./sequential.js";
export { TransformerBlock, type TransformerBlockOptions } from "./transformer-block.js";

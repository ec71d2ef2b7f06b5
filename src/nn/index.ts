export { AdditiveAttention } from "./additive-attention.js";
export { AttentionCache } from "./attention-cache.js";
export { BatchNorm, BatchNorm1d, BatchNorm2d, type BatchNormOptions } from "./batch-norm.js";
export { causalMask } from "./causal-mask.js";
export { Conv1d } from "./conv1d.js";
export { Conv2d, type Conv2dOptions, ConvTranspose2d, type ConvTranspose2dOptions } from "./conv2d.js";
export { CrossAttention, type CrossAttentionOptions } from "./cross-attention.js";
export { Dropout, type DropoutOptions } from "./dropout.js";
export { Embedding } from "./embedding.js";
export { GRU } from "./gru.js";
export { type InitOptions, linearDefault, normal, uniform } from "./init.js";
export { LayerNorm, type LayerNormOptions } from "./layer-norm.js";
export { Linear, type LinearOptions } from "./linear.js";
export { LSTM, type LSTMOutput, type LSTMState } from "./lstm.js";
export { MLP, type MLPOptions } from "./mlp.js";
export {
  type LoadStateDictOptions,
  type LoadStateDictResult,
  Module,
  type StateDict,
} from "./module.js";
export { ModuleList } from "./module-list.js";
export { MultiHeadAttention, type MultiHeadAttentionOptions } from "./multi-head-attention.js";
export { AdaptiveAvgPool2d, AvgPool2d, MaxPool2d, Upsample } from "./pooling.js";
export { positionIds } from "./position-ids.js";
export { QuantizedLinear, type QuantizedLinearOptions } from "./quantized-linear.js";
export { RecurrentLayer, type RecurrentOptions, type RecurrentWeights } from "./recurrent-layer.js";
export { RmsNorm } from "./rms-norm.js";
export { RNN, type RNNOptions, type RNNOutput } from "./rnn.js";
export { SeedStream } from "./seed-stream.js";
export { type Layer, Sequential } from "./sequential.js";
export { Flatten, ReLU } from "./shape-layers.js";
export { TransformerBlock, type TransformerBlockOptions } from "./transformer-block.js";

// The names before PyTorch's, kept for one release.
import { GRU } from "./gru.js";
import { LSTM, type LSTMOutput, type LSTMState } from "./lstm.js";
import { MLP, type MLPOptions } from "./mlp.js";
import { RNN, type RNNOptions, type RNNOutput } from "./rnn.js";

/** @deprecated Use `GRU` (PyTorch's name); `Gru` goes in the next release. */
export const Gru = GRU;
/** @deprecated Use `GRU` (PyTorch's name); `Gru` goes in the next release. */
export type Gru = GRU;
/** @deprecated Use `LSTM` (PyTorch's name); `Lstm` goes in the next release. */
export const Lstm = LSTM;
/** @deprecated Use `LSTM` (PyTorch's name); `Lstm` goes in the next release. */
export type Lstm = LSTM;
/** @deprecated Use `LSTMOutput`. */
export type LstmOutput = LSTMOutput;
/** @deprecated Use `LSTMState`. */
export type LstmState = LSTMState;
/** @deprecated Use `MLP` (PyTorch's name); `Mlp` goes in the next release. */
export const Mlp = MLP;
/** @deprecated Use `MLP` (PyTorch's name); `Mlp` goes in the next release. */
export type Mlp = MLP;
/** @deprecated Use `MLPOptions`. */
export type MlpOptions = MLPOptions;
/** @deprecated Use `RNN` (PyTorch's name); `Rnn` goes in the next release. */
export const Rnn = RNN;
/** @deprecated Use `RNN` (PyTorch's name); `Rnn` goes in the next release. */
export type Rnn = RNN;
/** @deprecated Use `RNNOptions`. */
export type RnnOptions = RNNOptions;
/** @deprecated Use `RNNOutput`. */
export type RnnOutput = RNNOutput;

/**
 * Recurrent language models: an embedding, a stack of RNN, LSTM or GRU layers (`src/nn`)
 * and a linear head, over characters or words.
 *
 * ```ts
 * const model = new RnnLm({ kind: "lstm", vocabSize: 65, embeddingSize: 32, hiddenSize: 128, numLayers: 1, dropout: 0 });
 * const loss = model.loss(ids, targets);            // int32 [batch, time] each
 * const next = model.generate([1, 2, 3], { maxTokens: 50, seed: 1 });
 * ```
 */
export {
  gateCount,
  RECURRENT_KINDS,
  type RecurrentKind,
  type RnnLmConfig,
  rnnLmParameterCount,
  validateRnnLmConfig,
} from "./config.js";
export { generateRnnTokens } from "./generate.js";
export { RnnLm, type RnnLmOptions, type RnnLmOutput, type RnnLmState } from "./rnn-lm.js";
export {
  NEWLINE,
  UNKNOWN_WORD,
  WordTokenizer,
  type WordTokenizerJson,
  type WordTokenizerOptions,
} from "./word-tokenizer.js";

// Encoder–decoder models: a Transformer and a GRU with additive attention, their
// vocabulary with special tokens, and batched greedy and beam search.
export { beamSearch, type Hypothesis, type SearchOptions } from "./beam-search.js";
export { GruSeq2Seq, type GruSeq2SeqConfig } from "./gru-seq2seq.js";
export { type DecoderState, repeatRows, type Seq2SeqModel } from "./seq2seq-model.js";
export { DecoderBlock, TransformerSeq2Seq, type TransformerSeq2SeqConfig } from "./transformer-seq2seq.js";
export { type TranslateOptions, type Translation, Translator } from "./translator.js";
export {
  encodePairs,
  IGNORE_TARGET,
  paddingBias,
  type Seq2SeqBatch,
  Seq2SeqVocabulary,
  type SequenceTokenizer,
} from "./vocabulary.js";

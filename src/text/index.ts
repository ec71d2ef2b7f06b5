// `infiniset/text`: tokenizers, sampling and stop sequences; the tokenizers GGUF files describe.
export { BpeTokenizer, type BpeTokenizerJson, type TrainBpeOptions, trainBpe } from "./bpe-tokenizer.js";
export { loadBpeTokenizer, saveBpeTokenizer } from "./bpe-tokenizer-file.js";
export { CharTokenizer, type CharTokenizerJson, type CharTokenizerOptions } from "./char-tokenizer.js";
export { type ChatMessage, ChatTemplate } from "./gguf/chat-template.js";
export { type EncodeOptions, GgufTokenizer } from "./gguf/tokenizer.js";
export {
  type CandidateDistribution,
  candidateDistribution,
  type GenerateOptions,
  type SamplingOptions,
  sampleToken,
} from "./sampling.js";
export { checkStopSequences, pendingStopPrefixLength, type StopCheck } from "./stop-sequences.js";
export { type TfidfOptions, TfidfVectorizer } from "./tfidf.js";

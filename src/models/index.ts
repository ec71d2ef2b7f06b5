// `infiniset/models`: the model families, each also as a namespace with all its parts.

export { Cnn, type CnnConfig } from "./cnn/cnn.js";
export { parseConditionText } from "./cvae/condition-text.js";
export { ConditionalVae, type ConditionalVaeConfig } from "./cvae/conditional-vae.js";
export { type DetectorConfig, ShapeDetector } from "./detector/shape-detector.js";
export { AttentionMaps } from "./gpt/attention-maps.js";
export type { GptConfig } from "./gpt/config.js";
export { Gpt, type GptOptions } from "./gpt/gpt.js";
export * as gpt from "./gpt/index.js";
export * as hmm from "./hmm/index.js";
export { fitHmm, type Hmm } from "./hmm/index.js";
export * as llama from "./llama/index.js";
export { LlamaModel } from "./llama/llama.js";
export { Captioner, type CaptionerConfig } from "./multimodal/captioner.js";
export { ImageEncoder, type ImageEncoderConfig } from "./multimodal/image-encoder.js";
export { ImageTextRetrieval, type RetrievalConfig } from "./multimodal/image-text-retrieval.js";
export * as ngram from "./ngram/index.js";
export { KneserNeyModel, NgramLanguageModel, trainNgram } from "./ngram/index.js";
export * as rnnLm from "./rnn-lm/index.js";
export { RnnLm, type RnnLmConfig, type RnnLmOptions } from "./rnn-lm/index.js";
export * as seq2seq from "./seq2seq/index.js";
export { GruSeq2Seq, TransformerSeq2Seq } from "./seq2seq/index.js";
export * as speech from "./speech/index.js";

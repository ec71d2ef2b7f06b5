/**
 * Word- and character-level n-gram language models with interpolated modified
 * Kneser-Ney smoothing, and their ARPA form.
 *
 * ```ts
 * const model = trainNgram({ order: 3, level: "word" }, lines);
 * model.prob(["<s>", "call"], "me");
 * model.perplexity(heldOut).perplexity;
 * model.sample({ seed: 1, maxTokens: 30 }).text;
 * const same = readArpa(toArpa(model));
 * ```
 */
export {
  ArpaFormatError,
  type ArpaReadOptions,
  type ArpaWriteOptions,
  arpaLines,
  readArpa,
  toArpa,
} from "./arpa.js";
export { BackoffModel, type BackoffNgramSource } from "./backoff.js";
export { checkOrder, NgramCounter, type NgramCounts } from "./counts.js";
export { type Discounts, FALLBACK_DISCOUNTS, modifiedKneserNeyDiscounts } from "./discounts.js";
export { KneserNeyModel, type KneserNeyOptions } from "./kneser-ney.js";
export {
  NgramLanguageModel,
  type PerplexityResult,
  type SampleOptions,
  type SampleResult,
} from "./model.js";
export { seededRandom } from "./random.js";
export type { NgramLevel } from "./tokenize.js";
export { type TrainNgramOptions, trainNgram, trainNgramAsync } from "./train.js";
export { BOS, EOS, UNK, Vocabulary } from "./vocabulary.js";

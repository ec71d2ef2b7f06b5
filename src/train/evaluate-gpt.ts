// The validation loss of a trained GPT on a corpus, on blocks of the length it was trained
// with; see evaluate-language-model.ts.
import type { Corpus } from "../data/corpus.js";
import { type EvaluateOptions, type Evaluation, evaluateLanguageModel } from "./evaluate-language-model.js";
import type { LoadedGpt } from "./gpt-checkpoint.js";

export type EvaluateGptOptions = EvaluateOptions;
export type GptEvaluation = Evaluation;

export function evaluateGpt(loaded: LoadedGpt, corpus: Corpus, options: EvaluateGptOptions): GptEvaluation {
  return evaluateLanguageModel({ ...loaded, blockSize: loaded.model.config.blockSize }, corpus, options);
}

// A trained recurrent language model and its tokenizer, from a checkpoint (see
// language-model-checkpoint.ts).
import type { RnnLm } from "../models/rnn-lm/rnn-lm.js";
import { type LoadedLanguageModel, loadFamilyCheckpoint } from "./language-model-checkpoint.js";
import { RNN_FAMILY } from "./rnn-settings.js";

export type LoadedRnnLm = LoadedLanguageModel<RnnLm>;

/** The recurrent LM and tokenizer in the checkpoint `dir` stands for (a run directory or a step folder). */
export function loadRnnLmCheckpoint(dir: string): LoadedRnnLm {
  return loadFamilyCheckpoint(RNN_FAMILY, dir);
}

// A trained GPT and its tokenizer, from a checkpoint (see language-model-checkpoint.ts).
import type { Gpt } from "../models/gpt/gpt.js";
import { GPT_FAMILY } from "./gpt-settings.js";
import { type LoadedLanguageModel, loadFamilyCheckpoint } from "./language-model-checkpoint.js";

export type LoadedGpt = LoadedLanguageModel<Gpt>;

/** The GPT and tokenizer in the checkpoint `dir` stands for (a run directory or a step folder). */
export function loadGptCheckpoint(dir: string): LoadedGpt {
  return loadFamilyCheckpoint(GPT_FAMILY, dir);
}

// Loading a trained language model for use (generation, evaluation): the model rebuilt
// from the checkpoint's config with its weights, and the tokenizer it was trained with,
// for any family. A checkpoint of some other model, or weights that do not fit the
// config, are errors that say so.

import { type CheckpointConfig, readCheckpointConfig, readCheckpointWeights } from "./checkpoint.js";
import { GPT_FAMILY } from "./gpt-settings.js";
import type { LanguageModel, LanguageModelFamily } from "./language-model-family.js";
import type { LanguageModelSettings } from "./language-model-settings.js";
import { RNN_FAMILY } from "./rnn-settings.js";
import { type TextTokenizer, tokenizerFromJson } from "./tokenizer.js";

/** The families `generate`, `eval` and the loaders know; a new one joins here. */
export const LANGUAGE_MODEL_FAMILIES = [GPT_FAMILY, RNN_FAMILY] as const;

export interface LoadedLanguageModel<M extends LanguageModel = LanguageModel> {
  /** The checkpoint folder read. */
  path: string;
  config: CheckpointConfig;
  model: M;
  tokenizer: TextTokenizer;
  /** Tokens per block when the model is scored: a GPT's context length, a recurrent LM's training sequence length. */
  blockSize: number;
}

/** The model of `family` and its tokenizer in the checkpoint `dir` stands for (a run directory or a step folder). */
export function loadFamilyCheckpoint<S extends LanguageModelSettings, M extends LanguageModel>(
  family: LanguageModelFamily<S, M>,
  dir: string,
): LoadedLanguageModel<M> {
  // The config first: a checkpoint of another model fails before its weights are read.
  const { path: configPath, config: peek } = readCheckpointConfig(dir);
  if (!family.types.includes(peek.model.type)) {
    throw new Error(`${configPath} holds a "${peek.model.type}" model, not ${family.title}`);
  }
  const { path, config, weights } = readCheckpointWeights(dir);
  try {
    const model = family.create(config.model.config, config.model.type);
    const tokenizer = tokenizerFromJson(config.tokenizer);
    const vocabSize = (config.model.config as { vocabSize?: unknown }).vocabSize;
    if (tokenizer.vocabSize !== vocabSize) {
      throw new Error(
        `its tokenizer has ${tokenizer.vocabSize} tokens but the model ${vocabSize} (vocabSize)`,
      );
    }
    model.loadStateDict(weights);
    model.eval();
    return { path, config, model, tokenizer, blockSize: family.blockSize(model, config) };
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`, { cause: error });
  }
}

type AnyFamily = LanguageModelFamily<LanguageModelSettings, LanguageModel>;

/** The family of the model in the checkpoint `dir` stands for; throws if none knows its type. */
export function checkpointFamily(dir: string): AnyFamily {
  const { path, config } = readCheckpointConfig(dir);
  const type = config.model.type;
  const family = LANGUAGE_MODEL_FAMILIES.find((f) => f.types.includes(type));
  if (!family) {
    const known = LANGUAGE_MODEL_FAMILIES.map((f) => f.title.replace(/^an? /, "")).join(" or a ");
    throw new Error(`${path} holds a "${type}" model, not a ${known}`);
  }
  return family as unknown as AnyFamily;
}

/** The language model of any known family in the checkpoint `dir` stands for. */
export function loadLanguageModelCheckpoint(dir: string): LoadedLanguageModel {
  return loadFamilyCheckpoint(checkpointFamily(dir), dir);
}

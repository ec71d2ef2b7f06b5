// Loading a trained GPT for use (generation, evaluation): the model rebuilt from the
// checkpoint's config with its weights, and the tokenizer it was trained with. A checkpoint
// of some other model, or weights that do not fit the config, are errors that say so.
import { validateGptConfig } from "../models/gpt/config.js";
import { Gpt } from "../models/gpt/gpt.js";
import { type CheckpointConfig, readCheckpointConfig, readCheckpointWeights } from "./checkpoint.js";
import { type TextTokenizer, tokenizerFromJson } from "./tokenizer.js";

export interface LoadedGpt {
  /** The checkpoint folder read. */
  path: string;
  config: CheckpointConfig;
  model: Gpt;
  tokenizer: TextTokenizer;
}

/** Throws unless the checkpoint config is that of a GPT. */
export function requireGptConfig(config: CheckpointConfig, path: string): void {
  if (config.model.type !== "gpt") {
    throw new Error(`${path} holds a "${config.model.type}" model, not a GPT`);
  }
}

/** The GPT and tokenizer in the checkpoint `dir` stands for (a run directory or a step folder). */
export function loadGptCheckpoint(dir: string): LoadedGpt {
  // The config first: a checkpoint of another model fails before its weights are read.
  const { path: configPath, config: peek } = readCheckpointConfig(dir);
  requireGptConfig(peek, configPath);
  const { path, config, weights } = readCheckpointWeights(dir);
  let model: Gpt;
  let tokenizer: TextTokenizer;
  try {
    const gptConfig = validateGptConfig(config.model.config);
    tokenizer = tokenizerFromJson(config.tokenizer);
    if (tokenizer.vocabSize !== gptConfig.vocabSize) {
      throw new Error(
        `its tokenizer has ${tokenizer.vocabSize} tokens but the model ${gptConfig.vocabSize} (vocabSize)`,
      );
    }
    model = new Gpt(gptConfig);
    model.loadStateDict(weights);
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`, { cause: error });
  }
  model.eval();
  return { path, config, model, tokenizer };
}

// Loading a trained recurrent language model for use (generation, evaluation): the model
// rebuilt from the checkpoint's config with its weights, and the tokenizer it was trained
// with. A checkpoint of some other model, or weights that do not fit the config, are errors
// that say so.
import { RECURRENT_KINDS, type RecurrentKind, validateRnnLmConfig } from "../models/rnn-lm/config.js";
import { RnnLm } from "../models/rnn-lm/rnn-lm.js";
import { type CheckpointConfig, readCheckpointConfig, readCheckpointWeights } from "./checkpoint.js";
import { type TextTokenizer, tokenizerFromJson } from "./tokenizer.js";

export interface LoadedRnnLm {
  /** The checkpoint folder read. */
  path: string;
  config: CheckpointConfig;
  model: RnnLm;
  tokenizer: TextTokenizer;
}

const NAMES: Record<RecurrentKind, string> = { rnn: "an RNN", lstm: "an LSTM", gru: "a GRU" };

/** Throws unless the checkpoint config is that of a recurrent LM (of `kind`, if given). */
export function requireRnnLmConfig(config: CheckpointConfig, path: string, kind?: RecurrentKind): void {
  const type = config.model.type as RecurrentKind;
  const wanted = kind === undefined ? RECURRENT_KINDS.includes(type) : type === kind;
  if (!wanted) {
    throw new Error(
      `${path} holds a "${config.model.type}" model, not ${kind === undefined ? "a recurrent language model" : NAMES[kind]}`,
    );
  }
}

/** The recurrent LM and tokenizer in the checkpoint `dir` stands for (a run directory or a step folder). */
export function loadRnnLmCheckpoint(dir: string): LoadedRnnLm {
  // The config first: a checkpoint of another model fails before its weights are read.
  const { path: configPath, config: peek } = readCheckpointConfig(dir);
  requireRnnLmConfig(peek, configPath);
  const { path, config, weights } = readCheckpointWeights(dir);
  let model: RnnLm;
  let tokenizer: TextTokenizer;
  try {
    const modelConfig = validateRnnLmConfig(config.model.config);
    if (modelConfig.kind !== config.model.type) {
      throw new Error(
        `its model type "${config.model.type}" differs from its config's kind "${modelConfig.kind}"`,
      );
    }
    tokenizer = tokenizerFromJson(config.tokenizer);
    if (tokenizer.vocabSize !== modelConfig.vocabSize) {
      throw new Error(
        `its tokenizer has ${tokenizer.vocabSize} tokens but the model ${modelConfig.vocabSize} (vocabSize)`,
      );
    }
    model = new RnnLm(modelConfig);
    model.loadStateDict(weights);
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`, { cause: error });
  }
  model.eval();
  return { path, config, model, tokenizer };
}

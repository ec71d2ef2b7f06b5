// Loading any trained language model that `generate` and `eval` can use, whatever its
// kind: the checkpoint's config says whether it is a GPT or a recurrent LM (rnn, lstm, gru).

import { RECURRENT_KINDS, type RecurrentKind } from "../models/rnn-lm/config.js";
import type { GenerateOptions } from "../text/sampling.js";
import { type CheckpointConfig, readCheckpointConfig } from "./checkpoint.js";
import type { TrainableLanguageModel } from "./fit.js";
import { loadGptCheckpoint } from "./gpt-checkpoint.js";
import { loadRnnLmCheckpoint } from "./rnn-checkpoint.js";
import type { TextTokenizer } from "./tokenizer.js";

export interface LoadedLanguageModel {
  /** The checkpoint folder read. */
  path: string;
  config: CheckpointConfig;
  model: TrainableLanguageModel & {
    generate(promptIds: readonly number[], options: GenerateOptions): number[];
  };
  tokenizer: TextTokenizer;
  /**
   * Tokens per block when the model is scored: a GPT's context length, a recurrent LM's
   * training sequence length.
   */
  blockSize: number;
}

/** The model and tokenizer in the checkpoint `dir` stands for (a run directory or a step folder). */
export function loadLanguageModelCheckpoint(dir: string): LoadedLanguageModel {
  const { path, config } = readCheckpointConfig(dir);
  const type = config.model.type;
  if (type === "gpt") {
    const loaded = loadGptCheckpoint(dir);
    return { ...loaded, blockSize: loaded.model.config.blockSize };
  }
  if (RECURRENT_KINDS.includes(type as RecurrentKind)) {
    const loaded = loadRnnLmCheckpoint(dir);
    const blockSize = loaded.config.training.blockSize;
    if (typeof blockSize !== "number" || !Number.isInteger(blockSize) || blockSize < 1) {
      throw new Error(`${loaded.path}: its training settings have no blockSize`);
    }
    return { ...loaded, blockSize };
  }
  throw new Error(`${path} holds a "${type}" model, not a GPT or a recurrent LM (rnn, lstm, gru)`);
}

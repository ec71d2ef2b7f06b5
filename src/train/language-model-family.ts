// What a kind of language model brings to the one training run (train-language-model.ts)
// and the one checkpoint loader: its settings check, tokenizer, model config, model and
// which weights decay. A new family (the next architecture) is one object of this type,
// added to LANGUAGE_MODEL_FAMILIES in language-model-checkpoint.ts.
import type { Module } from "../nn/module.js";
import type { SeedStream } from "../nn/seed-stream.js";
import type { Tensor } from "../tensor/tensor.js";
import type { GenerateOptions } from "../text/sampling.js";
import type { CheckpointConfig } from "./checkpoint.js";
import type { TrainableLanguageModel } from "./fit.js";
import type { LanguageModelSettings } from "./language-model-settings.js";
import type { TextTokenizer } from "./tokenizer.js";

/** What every trained language model can do: be trained, saved, scored and sampled. */
export type LanguageModel = Module &
  TrainableLanguageModel & {
    readonly dropoutSeeds: SeedStream;
    generate(promptIds: readonly number[], options: GenerateOptions): number[];
  };

export interface LanguageModelFamily<S extends LanguageModelSettings, M extends LanguageModel> {
  /** The model types its checkpoints carry (`model.type` in the config). */
  readonly types: readonly string[];
  /** For errors: "a GPT", "a recurrent language model". */
  readonly title: string;
  /** For errors, one model type: "a GPT", "an LSTM". */
  nameOf(type: string): string;
  /** The model type a run with these settings saves. */
  typeOf(settings: S): string;
  /** Throws on settings no run can use, naming the setting (shared ones included). */
  check(settings: S): void;
  /** A new run's tokenizer, built from its corpus. */
  tokenizerFor(settings: S, text: string): TextTokenizer;
  /** The model's config, as saved in checkpoints. */
  configFor(settings: S, vocabSize: number): object;
  /** The model for a config read from a checkpoint (validated here; the model type given). */
  create(config: unknown, type: string, seed?: number): M;
  /** Next-token logits [B, T, vocab] for int32 ids [B, T] (what distillation compares). */
  logits(model: M, ids: Tensor): Tensor;
  /** The parameters AdamW decays (weight matrices). */
  decays(model: M): (p: Tensor) => boolean;
  /** Tokens per block when a loaded model is scored. */
  blockSize(model: M, config: CheckpointConfig): number;
  /** One line for the command line: the architecture and its sizes. */
  describe(settings: S): string;
}

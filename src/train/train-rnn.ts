// A recurrent language model's training run (`infiniset train rnn|lstm|gru`): the one
// language-model run (train-language-model.ts) with the recurrent family.
import type { RnnLm } from "../models/rnn-lm/rnn-lm.js";
import { RNN_FAMILY, type RnnTrainingSettings } from "./rnn-settings.js";
import {
  type PreparedRun,
  type TrainLanguageModelOptions,
  type TrainLanguageModelResult,
  trainLanguageModel,
} from "./train-language-model.js";

export type TrainRnnOptions = TrainLanguageModelOptions<RnnTrainingSettings, RnnLm>;
export type PreparedRnnRun = PreparedRun<RnnTrainingSettings, RnnLm>;
export type TrainRnnResult = TrainLanguageModelResult<RnnTrainingSettings, RnnLm>;

export function trainRnnLm(options: TrainRnnOptions): TrainRnnResult {
  return trainLanguageModel(RNN_FAMILY, options);
}

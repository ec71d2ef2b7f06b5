// A GPT training run: the one language-model run (train-language-model.ts) with the GPT family.
import type { Gpt } from "../models/gpt/gpt.js";
import { GPT_FAMILY, type GptTrainingSettings } from "./gpt-settings.js";
import {
  type PreparedRun,
  type TrainLanguageModelOptions,
  type TrainLanguageModelResult,
  trainLanguageModel,
} from "./train-language-model.js";

export type TrainGptOptions = TrainLanguageModelOptions<GptTrainingSettings, Gpt>;
export type PreparedGptRun = PreparedRun<GptTrainingSettings, Gpt>;
export type TrainGptResult = TrainLanguageModelResult<GptTrainingSettings, Gpt>;

export function trainGpt(options: TrainGptOptions): TrainGptResult {
  return trainLanguageModel(GPT_FAMILY, options);
}

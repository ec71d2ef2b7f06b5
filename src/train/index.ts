// `infiniset/train`: the training loop, the language-model run and its families, checkpoints.
export type { TrainingCallback, TrainingEnd, TrainingStart } from "./callbacks.js";
export { changedSettings } from "./changed-settings.js";
export {
  type CheckpointConfig,
  findCheckpoint,
  type LoadedCheckpoint,
  readCheckpoint,
} from "./checkpoint.js";
export { EarlyStopping, type EarlyStoppingOptions } from "./early-stopping.js";
export { type EvaluateOptions, type Evaluation, evaluateLanguageModel } from "./evaluate-language-model.js";
export { estimateLoss, type FitOptions, type FitResult, fit, NonFiniteLossError } from "./fit.js";
export { type GenerateTextOptions, generateText } from "./generate-text.js";
export { type LoadedGpt, loadGptCheckpoint } from "./gpt-checkpoint.js";
export { GPT_FAMILY, GPT_PRESETS, type GptTrainingSettings, presetSettings } from "./gpt-settings.js";
export { jsonReporter } from "./json-reporter.js";
export {
  LANGUAGE_MODEL_FAMILIES,
  type LoadedLanguageModel,
  loadLanguageModelCheckpoint,
} from "./language-model-checkpoint.js";
export type { LanguageModel, LanguageModelFamily } from "./language-model-family.js";
export { checkLanguageModelSettings, type LanguageModelSettings } from "./language-model-settings.js";
export { renderLossCurveSvg } from "./plot-svg.js";
export { progressReporter } from "./progress-reporter.js";
export { type LoadedRnnLm, loadRnnLmCheckpoint } from "./rnn-checkpoint.js";
export { RNN_FAMILY, RNN_PRESETS, type RnnTrainingSettings, rnnPresetSettings } from "./rnn-settings.js";
export { prepareTextDataset, type TextDataset } from "./text-dataset.js";
export {
  LOG_FILE,
  type TrainGptOptions,
  type TrainLanguageModelOptions,
  type TrainRnnOptions,
  trainGpt,
  trainLanguageModel,
  trainRnnLm,
} from "./train-language-model.js";
export {
  evaluateSpeech,
  loadSpeechRecognizer,
  SPEECH_DEFAULTS,
  type SpeechEvaluation,
  SpeechRecognizer,
  type SpeechSettings,
  trainSpeech,
  wordErrorRate,
} from "./train-speech.js";
export {
  evaluateTranslation,
  loadTranslator,
  TRANSLATION_DEFAULTS,
  type TranslationEvaluation,
  type TranslationSettings,
  trainTranslation,
} from "./train-translation.js";
export { readTrainingLog } from "./training-log.js";

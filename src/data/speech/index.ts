export { espeakVersion, type SpeechVoice, synthesize, synthesizeFiles } from "./espeak.js";
export {
  clipSeconds,
  DIGIT_WORDS,
  defaultSpeechCache,
  SPEECH_SAMPLE_RATE,
  type SpokenClip,
  type SpokenDigitsOptions,
  spokenDigits,
  VOICES,
  voiceSplit,
} from "./spoken-digits.js";

export { checkLanguage, FRAMES, type Frame, LANGUAGES, type Meaning, render } from "./languages.js";
export {
  isHeldOut,
  isHeldOutNumber,
  isHeldOutPattern,
  MAX_NUMBER,
  NumberPairs,
  type SentencePair,
} from "./number-pairs.js";
export { readSentencePairs } from "./pair-files.js";

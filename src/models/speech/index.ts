// Speech models: log-mel features, a CNN for isolated words, a CNN/GRU for CTC, and CTC decoding.
export { ctcBeamDecode, ctcGreedyDecode } from "./ctc-decode.js";
export { CtcRecognizer, type CtcRecognizerConfig } from "./ctc-recognizer.js";
export { ConvStack, poolTime, SpeechCnn, type SpeechCnnConfig } from "./digit-cnn.js";
export { featureFrames, SPEECH_FEATURES, speechFeatures } from "./features.js";

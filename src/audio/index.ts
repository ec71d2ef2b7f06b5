// `infiniset/audio`: WAV files, resampling, and audio and feature augmentation.
export {
  type AudioAugmentation,
  addNoise,
  augmentAudio,
  changeSpeed,
  reverberate,
  type SpecAugmentOptions,
  specAugment,
  timeShift,
} from "./augment.js";
export { fitLength, resample } from "./resample.js";
export { type Audio, decodeWav, encodeWav, readWav, WavError, writeWav } from "./wav.js";

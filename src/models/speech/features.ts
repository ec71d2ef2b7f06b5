import type { LogMelOptions, Tensor } from "../../tensor/tensor.js";

/** 25 ms Hann frames every 10 ms at 8 kHz, a 256-point DFT, 40 mel bands up to 4 kHz. */
export const SPEECH_FEATURES: LogMelOptions = {
  sampleRate: 8000,
  frameLength: 200,
  hop: 80,
  fftSize: 256,
  bins: 40,
  fMin: 20,
};

/** Frames of a clip of `samples` samples. */
export function featureFrames(samples: number, options: LogMelOptions = SPEECH_FEATURES): number {
  return 1 + Math.floor((samples - options.frameLength) / options.hop);
}

/**
 * Audio [B, N] → log-mel features [B, frames, bins], each band normalised over the clip
 * (mean 0, variance 1: the loudness and the channel no longer matter).
 */
export function speechFeatures(audio: Tensor, options: LogMelOptions = SPEECH_FEATURES): Tensor {
  const mel = audio.logMel(options);
  const centred = mel.sub(mel.mean(1, true));
  return centred.div(centred.square().mean(1, true).add(1e-5).sqrt());
}

import type { Audio } from "./wav.js";

/** Zero crossings of the windowed sinc on each side: the filter's length and sharpness. */
const HALF_WIDTH = 16;

/**
 * Band-limited resampling: every output sample is a Hann-windowed sinc interpolation of
 * the input, with the cut-off at the lower of the two Nyquist frequencies, so going down
 * in rate filters out what would alias.
 */
export function resample(audio: Audio, rate: number): Audio {
  if (!(rate > 0)) throw new Error(`resample: the rate must be positive, got ${rate}`);
  if (rate === audio.sampleRate) return audio;
  const { samples, sampleRate } = audio;
  const ratio = rate / sampleRate;
  const cutoff = Math.min(1, ratio);
  const reach = HALF_WIDTH / cutoff;
  const out = new Float32Array(Math.max(1, Math.round(samples.length * ratio)));
  for (let i = 0; i < out.length; i++) {
    const centre = i / ratio;
    const first = Math.max(0, Math.ceil(centre - reach));
    const last = Math.min(samples.length - 1, Math.floor(centre + reach));
    let sum = 0;
    for (let j = first; j <= last; j++) {
      const x = (j - centre) * cutoff;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const window = 0.5 + 0.5 * Math.cos((Math.PI * (j - centre)) / reach);
      sum += samples[j]! * sinc * window;
    }
    out[i] = sum * cutoff;
  }
  return { sampleRate: rate, samples: out };
}

/** The audio cut or padded with silence to `length` samples, its content centred. */
export function fitLength(samples: Float32Array, length: number): Float32Array {
  const out = new Float32Array(length);
  if (samples.length >= length) {
    const start = Math.floor((samples.length - length) / 2);
    out.set(samples.subarray(start, start + length));
  } else {
    out.set(samples, Math.floor((length - samples.length) / 2));
  }
  return out;
}

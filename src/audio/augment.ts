// Audio augmentation on samples (noise at a signal-to-noise ratio, time shift, speed
// change, reverberation) and SpecAugment on features (time and frequency masks). All
// draw from a seeded generator, so an augmented run repeats exactly.
import type { SeededRng } from "../random/seeded-rng.js";

function gaussian(rng: SeededRng): number {
  const u = Math.max(rng.nextFloat(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextFloat());
}

function power(samples: Float32Array): number {
  let s = 0;
  for (const v of samples) s += v * v;
  return s / Math.max(1, samples.length);
}

/** The samples plus white noise whose power is the signal's divided by 10^(snr/10). */
export function addNoise(samples: Float32Array, snrDb: number, rng: SeededRng): Float32Array {
  const std = Math.sqrt(power(samples) / 10 ** (snrDb / 10));
  return samples.map((v) => v + std * gaussian(rng));
}

/** The samples moved by up to `maxShift` samples either way, silence filling the gap. */
export function timeShift(samples: Float32Array, maxShift: number, rng: SeededRng): Float32Array {
  const shift = rng.nextInt(2 * maxShift + 1) - maxShift;
  const out = new Float32Array(samples.length);
  if (shift >= 0) out.set(samples.subarray(0, samples.length - shift), shift);
  else out.set(samples.subarray(-shift));
  return out;
}

/**
 * Played `factor` times faster (pitch rises with it, as a tape sped up): linear
 * interpolation, which is what a ±10% change needs and fast enough to run every epoch.
 */
export function changeSpeed(samples: Float32Array, factor: number): Float32Array {
  if (!(factor > 0)) throw new Error(`changeSpeed: the factor must be positive, got ${factor}`);
  const out = new Float32Array(Math.max(1, Math.floor(samples.length / factor)));
  for (let i = 0; i < out.length; i++) {
    const at = i * factor;
    const j = Math.floor(at);
    const next = Math.min(j + 1, samples.length - 1);
    out[i] = samples[j]! + (samples[next]! - samples[j]!) * (at - j);
  }
  return out;
}

/**
 * A room: the dry signal plus `reflections` delayed copies within rt60 seconds, their
 * amplitudes decaying by 60 dB over rt60 with random signs (a sparse impulse response:
 * the same smearing in time as a dense one at a small fraction of the cost), rescaled to
 * the dry signal's loudness.
 */
export function reverberate(
  samples: Float32Array,
  sampleRate: number,
  rng: SeededRng,
  { rt60 = 0.25, wet = 0.5, reflections = 48 } = {},
): Float32Array {
  const decay = Math.log(1000) / rt60;
  const out = samples.slice();
  for (let r = 0; r < reflections; r++) {
    const seconds = 0.005 + rng.nextFloat() * rt60;
    const delay = Math.round(seconds * sampleRate);
    const gain =
      ((rng.nextFloat() < 0.5 ? -1 : 1) * wet * Math.exp(-decay * seconds)) / Math.sqrt(reflections / 8);
    for (let i = delay; i < samples.length; i++) out[i] = out[i]! + gain * samples[i - delay]!;
  }
  const scale = Math.sqrt(power(samples) / Math.max(power(out), 1e-20));
  return out.map((v) => v * scale);
}

export interface AudioAugmentation {
  /** Probability of each transform (default 0.5). */
  probability?: number;
  /** Noise SNR range in dB (default [5, 30]). */
  snrDb?: [number, number];
  /** Largest shift in seconds (default 0.1). */
  maxShiftSeconds?: number;
  /** Speed factor range (default [0.9, 1.1]). */
  speed?: [number, number];
}

/** A random mix of the four transforms, each applied with its probability; the length is kept. */
export function augmentAudio(
  samples: Float32Array,
  sampleRate: number,
  rng: SeededRng,
  options: AudioAugmentation = {},
): Float32Array {
  const p = options.probability ?? 0.5;
  const [slow, fast] = options.speed ?? [0.9, 1.1];
  const [low, high] = options.snrDb ?? [5, 30];
  let out = samples;
  if (rng.nextFloat() < p) {
    const sped = changeSpeed(out, slow + (fast - slow) * rng.nextFloat());
    out = new Float32Array(samples.length);
    out.set(sped.subarray(0, samples.length));
  }
  if (rng.nextFloat() < p) out = reverberate(out, sampleRate, rng, { rt60: 0.1 + 0.3 * rng.nextFloat() });
  if (rng.nextFloat() < p)
    out = timeShift(out, Math.round((options.maxShiftSeconds ?? 0.1) * sampleRate), rng);
  if (rng.nextFloat() < p) out = addNoise(out, low + (high - low) * rng.nextFloat(), rng);
  return out;
}

export interface SpecAugmentOptions {
  timeMasks?: number;
  /** Widest time mask, in frames. */
  timeWidth?: number;
  freqMasks?: number;
  /** Widest frequency mask, in bins. */
  freqWidth?: number;
}

/** SpecAugment (Park et al. 2019) on features [frames, bins] in place: masked cells set to `fill`. */
export function specAugment(
  features: Float32Array,
  frames: number,
  bins: number,
  rng: SeededRng,
  { timeMasks = 2, timeWidth = 10, freqMasks = 2, freqWidth = 6 }: SpecAugmentOptions = {},
  fill = 0,
): Float32Array {
  for (let m = 0; m < timeMasks; m++) {
    const width = rng.nextInt(timeWidth + 1);
    const start = rng.nextInt(Math.max(1, frames - width));
    for (let t = start; t < Math.min(frames, start + width); t++)
      features.fill(fill, t * bins, (t + 1) * bins);
  }
  for (let m = 0; m < freqMasks; m++) {
    const width = rng.nextInt(freqWidth + 1);
    const start = rng.nextInt(Math.max(1, bins - width));
    for (let t = 0; t < frames; t++)
      features.fill(fill, t * bins + start, t * bins + Math.min(bins, start + width));
  }
  return features;
}

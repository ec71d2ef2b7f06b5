// Spoken digits synthesised with espeak-ng: the words "zero" … "nine" alone, and sequences
// of 3–6 digits, in many voices (English accents × espeak-ng's variants) at random
// pitches and speeds. Voices are split by the md5 of their name (20% held out), so the
// test set is spoken by voices no model trained on. Clips are cached as WAV files, so a
// data set is synthesised once per machine.
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fitLength, resample } from "../../audio/resample.js";
import { readWav, writeWav } from "../../audio/wav.js";
import { SeededRng } from "../../random/seeded-rng.js";
import { DIGIT_WORDS } from "../digit-words.js";
import { hashSplit } from "../hash-split.js";
import { espeakVersion, type SpeechVoice, synthesizeFiles } from "./espeak.js";

export { DIGIT_WORDS };

/** English voices of espeak-ng (accents) … */
const ACCENTS = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-gb-x-gbclan"];
/** … and its voice variants (timbre, gender, formant synthesis). */
const VARIANTS = [
  "m1",
  "m2",
  "m3",
  "m4",
  "m5",
  "m6",
  "m7",
  "f1",
  "f2",
  "f3",
  "f4",
  "f5",
  "klatt",
  "klatt2",
  "klatt3",
  "croak",
  "whisper",
  "Andy",
  "Annie",
  "Denis",
  "Lee",
  "steph",
];

/** Every voice: accent + variant. */
export const VOICES: readonly string[] = ACCENTS.flatMap((accent) => VARIANTS.map((v) => `${accent}+${v}`));

/** The voices to train on and the held-out ones (md5 of "0:" + voice, 20% held out). */
export function voiceSplit(voices: readonly string[] = VOICES): { train: string[]; test: string[] } {
  const { train, test } = hashSplit(
    voices,
    voices.map(() => 0),
    { testFraction: 0.2 },
  );
  return { train: train.map((i) => voices[i]!), test: test.map((i) => voices[i]!) };
}

export const SPEECH_SAMPLE_RATE = 8000;

export interface SpokenClip {
  /** Samples at SPEECH_SAMPLE_RATE, cut or padded to the set's clip length. */
  samples: Float32Array;
  /** The digits spoken. */
  digits: number[];
  voice: SpeechVoice;
}

export interface SpokenDigitsOptions {
  /** "digits": one digit per clip; "sequences": 3–6 digits. */
  task: "digits" | "sequences";
  voices: readonly string[];
  /** Clips per voice (isolated digits: per voice and digit). */
  perVoice: number;
  seed: number;
  /** Where synthesised clips are kept (default ~/.cache/infiniset/speech). */
  cacheDir?: string;
  onProgress?: (done: number, total: number) => void;
}

/** Seconds per clip: one word, or up to six. */
export function clipSeconds(task: "digits" | "sequences"): number {
  return task === "digits" ? 1 : 4;
}

export function defaultSpeechCache(): string {
  return process.env.INFINISET_CACHE_DIR
    ? join(process.env.INFINISET_CACHE_DIR, "speech")
    : join(homedir(), ".cache", "infiniset", "speech");
}

/** The clips of a data set, synthesising those not cached yet. */
export function spokenDigits(options: SpokenDigitsOptions): SpokenClip[] {
  espeakVersion();
  const rng = new SeededRng(options.seed);
  const plan: { digits: number[]; voice: SpeechVoice }[] = [];
  const randomVoice = (voice: string): SpeechVoice => ({
    voice,
    pitch: 20 + rng.nextInt(60),
    speed: 130 + rng.nextInt(70),
  });
  for (const voice of options.voices) {
    for (let k = 0; k < options.perVoice; k++) {
      if (options.task === "digits") {
        for (let d = 0; d < 10; d++) plan.push({ digits: [d], voice: randomVoice(voice) });
      } else {
        const length = 3 + rng.nextInt(4);
        plan.push({ digits: Array.from({ length }, () => rng.nextInt(10)), voice: randomVoice(voice) });
      }
    }
  }
  const dir = options.cacheDir ?? defaultSpeechCache();
  mkdirSync(dir, { recursive: true });
  const length = clipSeconds(options.task) * SPEECH_SAMPLE_RATE;
  const fileOf = ({ digits, voice }: (typeof plan)[number]) =>
    join(dir, `${voice.voice}_p${voice.pitch}_s${voice.speed}_${digits.join("")}.wav`);
  // Missing clips are spoken in chunks (espeak-ng's rate, then resampled and rewritten).
  // A voice can draw the same pitch, speed and digits twice: each file is spoken once.
  const missing = [...new Map(plan.map((clip) => [fileOf(clip), clip])).entries()]
    .filter(([file]) => !existsSync(file))
    .map(([, clip]) => clip);
  const chunk = 256;
  for (let start = 0; start < missing.length; start += chunk) {
    options.onProgress?.(start, missing.length);
    const jobs = missing.slice(start, start + chunk).map((clip) => ({
      text: clip.digits.map((d) => DIGIT_WORDS[d]).join(" "),
      voice: clip.voice,
      file: `${fileOf(clip)}.raw.wav`,
    }));
    synthesizeFiles(jobs);
    for (const job of jobs) {
      writeWav(job.file.slice(0, -".raw.wav".length), resample(readWav(job.file), SPEECH_SAMPLE_RATE));
      rmSync(job.file);
    }
  }
  if (missing.length > 0) options.onProgress?.(missing.length, missing.length);
  return plan.map((clip) => ({
    samples: fitLength(readWav(fileOf(clip)).samples, length),
    digits: clip.digits,
    voice: clip.voice,
  }));
}

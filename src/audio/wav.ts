// WAV files in and out (through wavefile): samples as float32 in [−1, 1], channels mixed
// down to mono. Encodings read: PCM 8/16/24/32-bit and IEEE float 32/64-bit. Anything else
// — not a WAV file, an empty file, another encoding — is one error naming the file and why.
import { readFileSync } from "node:fs";
import wavefile from "wavefile";
import { writeFileAtomicSync } from "../formats/atomic-write.js";

export interface Audio {
  sampleRate: number;
  /** Mono samples in [−1, 1]. */
  samples: Float32Array;
}

/** What a bad WAV file is reported with: the message is one line naming the file. */
export class WavError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WavError";
  }
}

/** Integer PCM codes and their full scale; float codes are read as they are. */
const PCM_SCALE: Record<string, number> = { "8": 128, "16": 32768, "24": 8388608, "32": 2147483648 };
const FLOAT_DEPTHS = new Set(["32f", "64f"]);
const FORMAT_NAMES: Record<number, string> = {
  2: "Microsoft ADPCM",
  6: "A-law",
  7: "µ-law",
  17: "IMA ADPCM",
  85: "MPEG layer 3",
};

export function decodeWav(bytes: Uint8Array, name = "WAV data"): Audio {
  if (bytes.length === 0) throw new WavError(`${name}: the file is empty, not a WAV file`);
  const text = (from: number) => String.fromCharCode(...bytes.subarray(from, from + 4));
  if (bytes.length < 12 || !["RIFF", "RIFX", "RF64"].includes(text(0)) || text(8) !== "WAVE") {
    throw new WavError(`${name}: not a WAV file (no RIFF/WAVE header)`);
  }
  const wav = new wavefile.WaveFile();
  try {
    wav.fromBuffer(bytes);
  } catch (error) {
    throw new WavError(`${name}: unreadable WAV file (${(error as Error).message})`);
  }
  const fmt = wav.fmt as {
    audioFormat: number;
    numChannels: number;
    sampleRate: number;
    bitsPerSample: number;
  };
  const depth = wav.bitDepth;
  const pcm = fmt.audioFormat === 1 || fmt.audioFormat === 65534;
  const float = fmt.audioFormat === 3 || fmt.audioFormat === 65534;
  const scale =
    pcm && PCM_SCALE[depth] !== undefined
      ? PCM_SCALE[depth]
      : float && FLOAT_DEPTHS.has(depth)
        ? 1
        : undefined;
  if (scale === undefined) {
    const encoding =
      FORMAT_NAMES[fmt.audioFormat] ?? `format code ${fmt.audioFormat}, ${fmt.bitsPerSample} bits`;
    throw new WavError(
      `${name}: unsupported WAV encoding (${encoding}); infiniset reads PCM 8/16/24/32-bit and float 32/64-bit`,
    );
  }
  const channels = fmt.numChannels;
  if (!(channels >= 1) || !(fmt.sampleRate > 0)) {
    throw new WavError(`${name}: the WAV header has ${channels} channels at ${fmt.sampleRate} Hz`);
  }
  const interleaved = wav.getSamples(true, Float64Array) as unknown as Float64Array;
  const frames = Math.floor(interleaved.length / channels);
  if (frames === 0) throw new WavError(`${name}: the WAV file holds no samples`);
  const samples = new Float32Array(frames);
  // 8-bit PCM is unsigned, centred on 128.
  const offset = depth === "8" ? 128 : 0;
  for (let i = 0; i < frames; i++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s += interleaved[i * channels + c]! - offset;
    samples[i] = s / channels / scale;
  }
  return { sampleRate: fmt.sampleRate, samples };
}

export function readWav(path: string): Audio {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new WavError(code === "ENOENT" ? `${path}: no such file` : `${path}: ${(error as Error).message}`);
  }
  return decodeWav(bytes, path);
}

/** Mono 16-bit PCM WAV bytes (samples clipped to [−1, 1]). */
export function encodeWav(audio: Audio): Uint8Array {
  const ints = new Int16Array(audio.samples.length);
  for (let i = 0; i < ints.length; i++)
    ints[i] = Math.round(Math.max(-1, Math.min(1, audio.samples[i]!)) * 32767);
  const wav = new wavefile.WaveFile();
  wav.fromScratch(1, audio.sampleRate, "16", ints);
  return wav.toBuffer();
}

/** Writes mono 16-bit PCM, atomically. */
export function writeWav(path: string, audio: Audio): void {
  writeFileAtomicSync(path, encodeWav(audio));
}

// Speech synthesised by espeak-ng (a Debian package: apt-get install espeak-ng), read
// back through the WAV decoder and resampled to the rate the models use.
import { spawnSync } from "node:child_process";
import { resample } from "../../audio/resample.js";
import { type Audio, decodeWav } from "../../audio/wav.js";

export interface SpeechVoice {
  /** espeak-ng voice and variant, as its -v takes them ("en-us+f3"). */
  voice: string;
  /** 0–99 (espeak-ng's default 50). */
  pitch: number;
  /** Words per minute (espeak-ng's default 175). */
  speed: number;
}

let checked: string | undefined;

/** Throws a clear error unless espeak-ng runs; returns its version line. */
export function espeakVersion(): string {
  if (checked !== undefined) return checked;
  const run = spawnSync("espeak-ng", ["--version"], { encoding: "utf8" });
  if (run.error || run.status !== 0) {
    throw new Error(
      "espeak-ng is not installed (Debian: apt-get install espeak-ng); speech data is synthesised with it",
    );
  }
  checked = run.stdout.trim();
  return checked;
}

/**
 * Speaks many texts into WAV files at espeak-ng's own rate, `parallel` processes at a time
 * (xargs), which is much faster than one process after another.
 */
export function synthesizeFiles(
  jobs: readonly { text: string; voice: SpeechVoice; file: string }[],
  parallel = 4,
): void {
  espeakVersion();
  if (jobs.length === 0) return;
  const args = jobs.flatMap(({ text, voice, file }) => [
    voice.voice,
    String(voice.pitch),
    String(voice.speed),
    file,
    text,
  ]);
  const run = spawnSync(
    "xargs",
    [
      "-0",
      "-n",
      "5",
      "-P",
      String(parallel),
      "sh",
      "-c",
      'exec espeak-ng -v "$1" -p "$2" -s "$3" -w "$4" "$5"',
      "sh",
    ],
    { input: `${args.join("\0")}\0`, encoding: "utf8" },
  );
  if (run.error || run.status !== 0) {
    throw new Error(`espeak-ng failed: ${run.stderr?.trim() || run.error?.message || `exit ${run.status}`}`);
  }
}

/** `text` spoken by `voice`, resampled to `sampleRate`. */
export function synthesize(text: string, voice: SpeechVoice, sampleRate: number): Audio {
  espeakVersion();
  const run = spawnSync(
    "espeak-ng",
    ["-v", voice.voice, "-p", String(voice.pitch), "-s", String(voice.speed), "--stdout", text],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  if (run.error || run.status !== 0) {
    throw new Error(
      `espeak-ng failed on voice ${voice.voice}: ${run.stderr?.toString().trim() || run.error?.message}`,
    );
  }
  return resample(decodeWav(new Uint8Array(run.stdout), `espeak-ng ${voice.voice}`), sampleRate);
}

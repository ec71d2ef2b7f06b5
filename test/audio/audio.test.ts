import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { addNoise, changeSpeed, reverberate, specAugment, timeShift } from "../../src/audio/augment.js";
import { fitLength, resample } from "../../src/audio/resample.js";
import { decodeWav, encodeWav, readWav, writeWav } from "../../src/audio/wav.js";
import { SeededRng } from "../../src/random/seeded-rng.js";

const sine = (hz: number, rate: number, seconds: number) =>
  Float32Array.from(
    { length: Math.round(rate * seconds) },
    (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / rate),
  );

/** The frequency of a sine from its zero crossings. */
function frequency(samples: Float32Array, rate: number): number {
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) if (samples[i - 1]! < 0 && samples[i]! >= 0) crossings++;
  return (crossings * rate) / samples.length;
}

test("a WAV file written is read back: mono 16-bit PCM within one quantisation step", () => {
  const dir = mkdtempSync(join(tmpdir(), "wav-"));
  const audio = { sampleRate: 8000, samples: sine(440, 8000, 0.1) };
  writeWav(join(dir, "a.wav"), audio);
  const back = readWav(join(dir, "a.wav"));
  assert.equal(back.sampleRate, 8000);
  assert.equal(back.samples.length, audio.samples.length);
  assert.ok(back.samples.every((v, i) => Math.abs(v - audio.samples[i]!) < 1 / 32767));
});

test("bad WAV files are one clear error line: not WAV, empty, unsupported encoding", () => {
  const dir = mkdtempSync(join(tmpdir(), "wav-"));
  writeFileSync(join(dir, "text.wav"), "hello, not audio");
  writeFileSync(join(dir, "empty.wav"), "");
  // A valid header but A-law samples (format code 6).
  const alaw = encodeWav({ sampleRate: 8000, samples: new Float32Array(8) });
  new DataView(alaw.buffer, alaw.byteOffset).setUint16(20, 6, true);
  new DataView(alaw.buffer, alaw.byteOffset).setUint16(34, 8, true);
  writeFileSync(join(dir, "alaw.wav"), alaw);
  const cases: [string, RegExp][] = [
    ["text.wav", /text\.wav: not a WAV file \(no RIFF\/WAVE header\)$/],
    ["empty.wav", /empty\.wav: the file is empty, not a WAV file$/],
    [
      "alaw.wav",
      /alaw\.wav: unsupported WAV encoding \(A-law\); infiniset reads PCM 8\/16\/24\/32-bit and float 32\/64-bit$/,
    ],
    ["missing.wav", /missing\.wav: no such file$/],
  ];
  for (const [file, message] of cases) {
    assert.throws(
      () => readWav(join(dir, file)),
      (error: Error) => message.test(error.message) && !error.message.includes("\n"),
      file,
    );
  }
});

test("stereo is mixed down and 8-bit PCM is centred", () => {
  // RIFF header for 2 channels, 8-bit, 2 frames: (255, 1) and (128, 128).
  const bytes = new Uint8Array(48);
  const view = new DataView(bytes.buffer);
  const ascii = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) bytes[at + i] = s.charCodeAt(i);
  };
  ascii(0, "RIFF");
  view.setUint32(4, 40, true);
  ascii(8, "WAVEfmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 2, true);
  view.setUint32(24, 8000, true);
  view.setUint32(28, 16000, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 8, true);
  ascii(36, "data");
  view.setUint32(40, 4, true);
  bytes.set([255, 1, 128, 128], 44);
  const audio = decodeWav(bytes);
  assert.equal(audio.samples.length, 2);
  assert.ok(Math.abs(audio.samples[0]! - 0) < 1e-6 && audio.samples[1] === 0);
});

test("resampling keeps a tone's frequency and filters what would alias", () => {
  const down = resample({ sampleRate: 22050, samples: sine(440, 22050, 0.5) }, 8000);
  assert.equal(down.samples.length, 4000);
  assert.ok(Math.abs(frequency(down.samples, 8000) - 440) < 5);
  // 6 kHz is above the new Nyquist frequency (4 kHz): it is removed, not folded to 2 kHz.
  const high = resample({ sampleRate: 22050, samples: sine(6000, 22050, 0.5) }, 8000);
  const rms = Math.sqrt(
    high.samples.slice(200, -200).reduce((s, v) => s + v * v, 0) / (high.samples.length - 400),
  );
  assert.ok(rms < 0.02, `rms ${rms}`);
  assert.deepEqual(Array.from(fitLength(Float32Array.of(1, 2), 4)), [0, 1, 2, 0]);
  assert.deepEqual(Array.from(fitLength(Float32Array.of(1, 2, 3, 4), 2)), [2, 3]);
});

test("augmentation: noise at the asked SNR, shifts, speed, reverberation at the same loudness", () => {
  const rng = new SeededRng(1);
  const clean = sine(300, 8000, 1);
  const noisy = addNoise(clean, 10, rng);
  const power = (x: Float32Array) => x.reduce((s, v) => s + v * v, 0) / x.length;
  const noise = noisy.map((v, i) => v - clean[i]!);
  const snr = 10 * Math.log10(power(clean) / power(noise));
  assert.ok(Math.abs(snr - 10) < 0.3, `snr ${snr}`);
  const shifted = timeShift(Float32Array.of(1, 2, 3, 4), 1, new SeededRng(3));
  assert.ok(["0,1,2,3", "1,2,3,4", "2,3,4,0"].includes(Array.from(shifted).join()));
  assert.ok(Math.abs(frequency(changeSpeed(clean, 1.25), 8000) - 375) < 6);
  const wet = reverberate(clean, 8000, rng);
  assert.equal(wet.length, clean.length);
  assert.ok(Math.abs(power(wet) / power(clean) - 1) < 1e-3);
});

test("SpecAugment masks whole frames and whole bands", () => {
  const features = new Float32Array(20 * 8).fill(1);
  specAugment(features, 20, 8, new SeededRng(2), { timeMasks: 1, timeWidth: 5, freqMasks: 1, freqWidth: 3 });
  const zeroRows = Array.from({ length: 20 }, (_, t) =>
    features.subarray(t * 8, t * 8 + 8).every((v) => v === 0),
  );
  const zeroBands = Array.from({ length: 8 }, (_, b) =>
    Array.from({ length: 20 }, (_, t) => features[t * 8 + b]).every((v) => v === 0),
  );
  assert.ok(zeroRows.filter(Boolean).length <= 5 && zeroBands.filter(Boolean).length <= 3);
  assert.ok(features.some((v) => v === 1));
});

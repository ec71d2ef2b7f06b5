import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { SPEECH_SAMPLE_RATE, spokenDigits, VOICES, voiceSplit } from "../../src/data/speech/spoken-digits.js";

const espeak = spawnSync("espeak-ng", ["--version"]).status === 0;

test("voices split into training and held-out voices by the md5 of their names", () => {
  const { train, test: heldOut } = voiceSplit();
  assert.equal(train.length + heldOut.length, VOICES.length);
  assert.equal(heldOut.length, Math.round(VOICES.length / 5));
  assert.ok(heldOut.every((v) => !train.includes(v)));
  assert.deepEqual(voiceSplit(), { train, test: heldOut });
});

test("spoken digits are synthesised with espeak-ng once, then read from the cache", {
  skip: espeak ? false : "espeak-ng is not installed (.ci/run installs it)",
}, () => {
  const cacheDir = mkdtempSync(join(tmpdir(), "speech-"));
  const options = {
    task: "sequences" as const,
    voices: ["en-us+f3", "en-gb+m3"],
    perVoice: 1,
    seed: 4,
    cacheDir,
  };
  const clips = spokenDigits(options);
  assert.equal(clips.length, 2);
  for (const clip of clips) {
    assert.equal(clip.samples.length, 4 * SPEECH_SAMPLE_RATE);
    assert.ok(clip.digits.length >= 3 && clip.digits.length <= 6);
    const peak = clip.samples.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    assert.ok(peak > 0.05, "the clip is not silent");
  }
  assert.equal(readdirSync(cacheDir).length, 2);
  const again = spokenDigits(options);
  assert.deepEqual(again[0]!.samples, clips[0]!.samples);
});

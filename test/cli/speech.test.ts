import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { encodeWav } from "../../src/audio/wav.js";
import { SPEECH_DEFAULTS, trainSpeech } from "../../src/train/train-speech.js";
import { TARGET_INDEPENDENT } from "../helpers/target-independent.js";
import { runCli } from "./run-cli.js";

const espeak = spawnSync("espeak-ng", ["--version"]).status === 0;

test("train speech → checkpoint → transcribe; bad WAV files give one error line each", {
  skip: espeak ? false : "espeak-ng is not installed (.ci/run installs it)",
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "speech-"));
  const out = join(dir, "run");
  const result = trainSpeech(
    {
      ...SPEECH_DEFAULTS.sequences,
      maxVoices: 2,
      perVoice: 2,
      testPerVoice: 1,
      epochs: 1,
      batchSize: 2,
      channels: [8, 8],
      beam: 2,
      cacheDir: join(dir, "cache"),
    },
    { out },
  );
  assert.ok(result.clean.wer !== undefined && result.noisy.wer !== undefined);
  assert.ok(result.checkpoint);
  writeFileSync(join(dir, "clip.wav"), encodeWav({ sampleRate: 16000, samples: new Float32Array(16000) }));
  writeFileSync(join(dir, "text.wav"), "not audio");
  writeFileSync(join(dir, "empty.wav"), "");
  const ok = await runCli(["transcribe", "--checkpoint", out, "--json", join(dir, "clip.wav")]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^\{"file":".*clip\.wav","digits":"\d*"\}\n$/);
  for (const [file, why] of [
    ["text.wav", "not a WAV file \\(no RIFF/WAVE header\\)"],
    ["empty.wav", "the file is empty, not a WAV file"],
  ]) {
    const bad = await runCli(["transcribe", "--checkpoint", out, join(dir, file!)]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, new RegExp(`^infiniset: error: .*${file}: ${why}\\n$`));
  }
});

test("speech flags are checked: a translation flag is refused", { skip: TARGET_INDEPENDENT }, async () => {
  const refused = await runCli(["train", "speech", "--src", "en"]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /--src does not apply to speech models/);
});

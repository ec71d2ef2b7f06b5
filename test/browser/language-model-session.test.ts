import assert from "node:assert/strict";
import { test } from "node:test";
import type { TrainProgress, TrainRequest } from "../../src/browser/engine-protocol.js";
import { LanguageModelSession, TrainingControl } from "../../src/browser/language-model-session.js";
import { writeSafetensors } from "../../src/formats/safetensors.js";

/**
 * The engine's language-model session in Node (the playground test drives it through the
 * page): pause, resume and stop between steps, and a checkpoint saved and loaded back.
 */
const text = "Call me Ishmael. Some years ago, never mind how long precisely, I went to sea. ".repeat(6);
const tiny = (kind: TrainRequest["kind"], steps: number): TrainRequest => ({
  text,
  kind,
  steps,
  layers: 1,
  width: 16,
  heads: 2,
  blockSize: 8,
  batchSize: 2,
  seed: 7,
});
const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("a paused run takes no step until resumed; a stopped run ends, saying so", async () => {
  const session = new LanguageModelSession();
  const control = new TrainingControl();
  const steps: number[] = [];
  let stepsWhilePaused = -1;
  const run = session.train(tiny("gpt", 6), control, (p: TrainProgress) => {
    steps.push(p.step);
    if (p.step === 2) control.pause();
  });
  while (steps.length < 2) await tick(1);
  await tick(50);
  stepsWhilePaused = steps.length;
  control.resume();
  const result = await run;
  assert.equal(stepsWhilePaused, 2, "no step while paused");
  assert.deepEqual(steps, [1, 2, 3, 4, 5, 6]);
  assert.equal(result.stopped, false);

  const stopping = new TrainingControl();
  const stopped = await session.train(tiny("gpt", 6), stopping, (p) => {
    if (p.step === 3) stopping.stop();
  });
  assert.equal(stopped.steps, 3);
  assert.equal(stopped.stopped, true);
});

for (const kind of ["gpt", "lstm"] as const) {
  test(`a ${kind} checkpoint loads back into a new session with the same predictions`, async () => {
    const trained = new LanguageModelSession();
    const result = await trained.train(tiny(kind, 3), new TrainingControl(), () => {});
    const bytes = trained.saveCheckpoint();
    const loaded = new LanguageModelSession();
    assert.deepEqual(loaded.loadCheckpoint(bytes), result);
    assert.deepEqual(loaded.nextTokens("Call me", 4), trained.nextTokens("Call me", 4));
    const sampling = { prompt: "Some ", maxTokens: 5, temperature: 0.8, seed: 3 };
    assert.equal(
      loaded.generate(sampling, () => {}),
      trained.generate(sampling, () => {}),
    );
  });
}

test("a safetensors file that is not a playground checkpoint is refused, saying why", () => {
  const other = writeSafetensors({}, { format: "pt" });
  assert.throws(() => new LanguageModelSession().loadCheckpoint(other), /not a playground checkpoint/);
});

// The neural classifiers learn a separable toy task, and a saved checkpoint predicts what
// the trained model did.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { loadClassifier, writeClassifierCheckpoint } from "../../src/classify/classifier-checkpoint.js";
import { DEFAULT_SETTINGS } from "../../src/classify/classifier-settings.js";
import { trainNeuralClassifier } from "../../src/classify/neural-classifier.js";
import { argmaxRows } from "../../src/classify/text-classifier.js";
import { Conv1d } from "../../src/nn/conv1d.js";
import { tensor } from "../../src/tensor/creation.js";
import { tinyTrainedRun } from "../cli/train-fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "infiniset-neural-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const spam = ["win", "free", "prize", "cash", "offer", "click"];
const ham = ["meeting", "agenda", "patch", "lunch", "review", "notes"];
let state = 11;
const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const texts: string[] = [];
const labels: number[] = [];
for (let i = 0; i < 96; i++) {
  const words = i % 2 ? spam : ham;
  texts.push(Array.from({ length: 5 }, () => words[Math.floor(next() * words.length)]).join(" "));
  labels.push(i % 2);
}
const quiet = () => {};

describe("neural text classifiers", () => {
  it("Conv1d is a same-padded 1-D convolution", () => {
    const conv = new Conv1d(1, 1, 3);
    conv.weight.assign(tensor([[1, 2, 3]]));
    conv.bias.assign(tensor([0.5]));
    // out[t] = x[t-1]·1 + x[t]·2 + x[t+1]·3 + 0.5 with zeros outside
    const out = conv.forward(tensor([1, 2, 3, 4], [1, 4, 1])).dataSync();
    assert.deepEqual(Array.from(out), [8.5, 14.5, 20.5, 11.5]);
  });

  for (const kind of ["cnn", "transformer", "gpt-finetune"] as const) {
    it(`${kind}: learns the toy task and survives a save and load`, () => {
      const settings = {
        ...DEFAULT_SETTINGS,
        epochs: kind === "cnn" ? 6 : 10,
        maxTokens: 16,
        ...(kind === "gpt-finetune" ? { gptCheckpoint: tinyTrainedRun().run } : {}),
      };
      const classifier = trainNeuralClassifier(kind, texts, labels, ["ham", "spam"], settings, quiet);
      const probabilities = classifier.predictProba(texts);
      const right = argmaxRows(probabilities).filter((p, i) => p === labels[i]).length;
      assert.ok(right / texts.length > 0.9, `${kind}: ${right}/${texts.length} right`);
      const out = join(dir, kind);
      writeClassifierCheckpoint(out, classifier, { data: "toy" });
      const reloaded = loadClassifier(out).classifier.predictProba(texts);
      reloaded.forEach((row, i) => {
        assert.ok(Math.abs(row[1]! - probabilities[i]![1]!) < 1e-5, `text ${i}`);
      });
    });
  }

  it("gpt-finetune without a GPT says what it needs", () => {
    assert.throws(
      () => trainNeuralClassifier("gpt-finetune", texts, labels, ["ham", "spam"], DEFAULT_SETTINGS, quiet),
      /gpt-finetune needs --gpt DIR/,
    );
  });
});

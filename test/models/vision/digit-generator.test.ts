// The conditional VAE on real MNIST digits, tiny and briefly trained (seconds): drawings
// follow the word asked for, a resumed run ends where an uninterrupted one does, and the
// words a generator accepts.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { loadMnist, mnistSplit } from "../../../src/data/mnist.js";
import { type LabelledImages, selectImages } from "../../../src/image/images.js";
import { parseConditionText } from "../../../src/models/cvae/condition-text.js";
import {
  DIGIT_GENERATOR_DEFAULTS,
  drawImages,
  loadDigitGenerator,
  meanPairDistance,
  trainDigitGenerator,
} from "../../../src/vision/train-digit-generator.js";

const dir = mkdtempSync(join(tmpdir(), "infiniset-cvae-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const digits = loadMnist();
const split = mnistSplit(digits.labels);
/** The first `perClass` training digits of each of `classes` (relabelled 0, 1, …). */
function subset(classes: readonly number[], perClass: number): LabelledImages {
  const picked = classes.flatMap((c) => split.train.filter((i) => digits.labels[i] === c).slice(0, perClass));
  const images = selectImages(digits, picked);
  return {
    ...images,
    labels: Int32Array.from(images.labels, (l) => classes.indexOf(l)),
    classes: classes.map(String),
  };
}
const small = { ...DIGIT_GENERATOR_DEFAULTS, hidden: 64, latent: 4, embd: 4, batchSize: 32, lr: 3e-3 };

/** Mean image of each class. */
function classMeans(images: LabelledImages): Float32Array[] {
  const size = images.height * images.width;
  const means = images.classes.map(() => new Float32Array(size));
  const counts = images.classes.map(() => 0);
  for (let i = 0; i < images.count; i++) {
    const c = images.labels[i]!;
    counts[c]!++;
    for (let k = 0; k < size; k++) means[c]![k]! += images.data[i * size + k]!;
  }
  return means.map((m, c) => m.map((v) => v / counts[c]!));
}

test("drawings of 'zero' look like zeros and of 'one' like ones (nearest class mean), after a few epochs", () => {
  const train = subset([0, 1], 160);
  const { model, history } = trainDigitGenerator({ train, test: train }, { ...small, epochs: 6 });
  assert.ok(history[5]!.testLoss! < history[0]!.testLoss!, JSON.stringify(history));
  const means = classMeans(train);
  const ids = Int32Array.from({ length: 40 }, (_, i) => (i < 20 ? 0 : 1));
  // Both words drawn from the same latent draws: only the condition differs.
  const drawn = drawImages(model, ids, 7);
  const size = 28 * 28;
  let nearestOwn = 0;
  for (let i = 0; i < ids.length; i++) {
    const distance = (m: Float32Array) => m.reduce((s, v, k) => s + (v - drawn.data[i * size + k]!) ** 2, 0);
    const nearest = distance(means[0]!) < distance(means[1]!) ? 0 : 1;
    if (nearest === ids[i]) nearestOwn++;
  }
  assert.ok(nearestOwn >= 36, `${nearestOwn}/40 drawings are nearest their own class's mean`);
});

test("a run stopped after one epoch and resumed ends with the same weights as one run of two", () => {
  const train = subset([3, 7], 48);
  const settings = { ...small, epochs: 2 };
  const whole = trainDigitGenerator({ train, test: train }, settings, { out: join(dir, "whole") });
  const resumedDir = join(dir, "resumed");
  const stop = () => {
    throw new Error("stopped");
  };
  assert.throws(
    () => trainDigitGenerator({ train, test: train }, settings, { out: resumedDir, onEpoch: stop }),
    /stopped/,
  );
  const resumed = trainDigitGenerator({ train, test: train }, settings, { out: resumedDir, resume: true });
  assert.equal(resumed.history.length, 2);
  assert.equal(resumed.history[1]!.testLoss, whole.history[1]!.testLoss);
  const a = whole.model.stateDict();
  for (const [name, value] of loadDigitGenerator(resumedDir).stateDict()) {
    assert.deepEqual(value.dataSync(), a.get(name)!.dataSync(), name);
  }
  assert.deepEqual(loadDigitGenerator(resumedDir).config.words, ["zero", "one"]);
});

test("words: names or figures, any case, several at once; anything else is a clear error", () => {
  assert.deepEqual(parseConditionText("seven"), [7]);
  assert.deepEqual(parseConditionText(" Seven "), [7]);
  assert.deepEqual(parseConditionText("7"), [7]);
  assert.deepEqual(parseConditionText("three, one four"), [3, 1, 4]);
  assert.throws(
    () => parseConditionText("eleven"),
    /--text: "eleven" is not a word this model draws; use zero, one/,
  );
  assert.throws(() => parseConditionText("10"), /"10" is not a word/);
  assert.throws(() => parseConditionText("  "), /--text is empty/);
  assert.throws(() => parseConditionText("two", ["zero", "one"]), /use zero, one \(or 0 to 1\)/);
});

test("variety: the mean distance between two images of a class, over all pairs", () => {
  const images = {
    data: Float32Array.from([0, 0, 3, 4, 6, 8, 1, 1]),
    count: 4,
    channels: 1,
    height: 1,
    width: 2,
  };
  // Class 0: pairs at distances 5, 10, 5; class 1 has one image; class 2 none.
  assert.deepEqual(meanPairDistance(images, [0, 0, 0, 1], 3), [20 / 3, Number.NaN, Number.NaN]);
});

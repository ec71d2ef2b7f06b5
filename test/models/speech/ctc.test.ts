import assert from "node:assert/strict";
import { test } from "node:test";
import { ctcLoss, randn, tensor } from "../../../src/index.js";
import { ctcBeamDecode, ctcGreedyDecode } from "../../../src/models/speech/ctc-decode.js";
import { CtcRecognizer } from "../../../src/models/speech/ctc-recognizer.js";
import { SpeechCnn } from "../../../src/models/speech/digit-cnn.js";
import { SPEECH_FEATURES, speechFeatures } from "../../../src/models/speech/features.js";

const logOf = (rows: number[][]) => Float32Array.from(rows.flat().map(Math.log));

test("greedy CTC decoding merges repeats and drops blanks", () => {
  // best classes per frame: 1 1 0 1 2 2 0 → labels 1 1 2
  const rows = [1, 1, 0, 1, 2, 2, 0].map((c) => [0, 1, 2].map((k) => (k === c ? 0.8 : 0.1)));
  assert.deepEqual(ctcGreedyDecode(logOf(rows), 7, 3), [1, 1, 2]);
});

test("prefix beam search sums alignments: it finds the label greedy decoding misses", () => {
  // Two frames. Greedy takes the blank twice (0.4 · 0.4) and outputs nothing, but label 1 is
  // the more likely output: 1-1, 1-b, b-1 give 0.3·0.3 + 0.3·0.4 + 0.4·0.3 = 0.33 > 0.16.
  const rows = [
    [0.4, 0.3, 0.3],
    [0.4, 0.3, 0.3],
  ];
  assert.deepEqual(ctcGreedyDecode(logOf(rows), 2, 3), []);
  const { labels, logProb } = ctcBeamDecode(logOf(rows), 2, 3, { width: 4 });
  assert.ok(labels.length === 1);
  assert.ok(Math.abs(logProb - Math.log(0.33)) < 1e-6);
  // The beam's probability of a labelling is the CTC likelihood of it.
  const nll = ctcLoss(
    tensor(logOf(rows), [1, 2, 3]),
    tensor([labels[0]!], [1, 1], { dtype: "int32" }),
    tensor([2], [1], { dtype: "int32" }),
    tensor([1], [1], { dtype: "int32" }),
  ).item();
  assert.ok(Math.abs(-nll - logProb) < 1e-5);
});

test("speech networks: log-mel features in, class logits or CTC log-probabilities out", () => {
  const audio = randn([2, 8000], { seed: 1 }).mul(0.1);
  const features = speechFeatures(audio);
  assert.deepEqual(features.shape, [2, 98, SPEECH_FEATURES.bins]);
  const cnn = new SpeechCnn({ bins: 40, channels: [8, 8], width: 3, classes: 10, seed: 0 });
  assert.deepEqual(cnn.logits(features).shape, [2, 10]);
  const ctc = new CtcRecognizer({ bins: 40, channels: [8, 8], width: 3, hidden: 6, classes: 11, seed: 0 });
  const logProbs = ctc.logProbs(features);
  assert.deepEqual(logProbs.shape, [2, ctc.outputFrames(98), 11]);
  const p = logProbs.exp().sum(-1).dataSync();
  assert.ok(p.every((v) => Math.abs(v - 1) < 1e-4));
});

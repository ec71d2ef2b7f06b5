import assert from "node:assert/strict";
import { test } from "node:test";
import { compileCount } from "../../../src/compiler/compile.js";
import {
  type RnnLmConfig,
  rnnLmParameterCount,
  validateRnnLmConfig,
} from "../../../src/models/rnn-lm/config.js";
import { RnnLm } from "../../../src/models/rnn-lm/rnn-lm.js";
import { Adam } from "../../../src/optim/adam.js";
import { tensor } from "../../../src/tensor/creation.js";

const config = (kind: RnnLmConfig["kind"], numLayers = 1): RnnLmConfig => ({
  kind,
  vocabSize: 7,
  embeddingSize: 5,
  hiddenSize: 6,
  numLayers,
  dropout: 0,
});
const ids = (values: number[], time = values.length) =>
  tensor(values, [values.length / time, time], { dtype: "int32" });

test("parameters: PyTorch names under rnn., the closed-form count for every kind", () => {
  const lstm = new RnnLm(config("lstm", 2));
  assert.deepEqual(
    lstm.namedParameters().map(([name]) => name),
    [
      "embedding.weight",
      "rnn.weight_ih_l0",
      "rnn.weight_hh_l0",
      "rnn.bias_ih_l0",
      "rnn.bias_hh_l0",
      "rnn.weight_ih_l1",
      "rnn.weight_hh_l1",
      "rnn.bias_ih_l1",
      "rnn.bias_hh_l1",
      "head.weight",
      "head.bias",
    ],
  );
  for (const kind of ["rnn", "lstm", "gru"] as const) {
    for (const layers of [1, 3]) {
      const model = new RnnLm(config(kind, layers));
      assert.equal(model.parameterCount(), rnnLmParameterCount(model.config), `${kind} × ${layers}`);
    }
  }
  // 7·5 + 4·6·(5 + 6) + 2·4·6 + 6·7 + 7 for one LSTM layer.
  assert.equal(rnnLmParameterCount(config("lstm")), 35 + 264 + 48 + 42 + 7);
});

test("configs from JSON are checked field by field", () => {
  assert.throws(
    () => validateRnnLmConfig({ ...config("lstm"), kind: "transformer" }),
    /kind must be one of rnn, lstm, gru, got "transformer"/,
  );
  assert.throws(
    () => validateRnnLmConfig({ ...config("gru"), hiddenSize: 0 }),
    /hiddenSize must be a positive integer, got 0/,
  );
  assert.throws(() => validateRnnLmConfig({ ...config("rnn"), extra: 1 }), /unknown fields extra/);
  assert.throws(
    () => new RnnLm(config("lstm")).forward(tensor([1, 2])),
    /ids must be int32 \[batch, time ≥ 1\], got float32 \[2\]/,
  );
});

test("the state carries the past: two calls give the logits of one call over the whole sequence", () => {
  for (const kind of ["rnn", "lstm", "gru"] as const) {
    const model = new RnnLm(config(kind, 2), { seed: 3 });
    const sequence = [1, 4, 2, 6, 0, 3, 5, 1];
    const whole = model.forward(ids(sequence)).logits.dataSync();
    const first = model.forward(ids(sequence.slice(0, 5)));
    const second = model.forward(ids(sequence.slice(5)), first.state).logits.dataSync();
    const joined = [...first.logits.dataSync(), ...second];
    assert.equal(joined.length, whole.length);
    const worst = Math.max(...joined.map((v, i) => Math.abs(v - whole[i]!)));
    assert.ok(worst < 1e-5, `${kind}: logits differ by ${worst}`);
  }
});

test("an LSTM LM learns a repeating sequence and then generates it greedily, one program per step", () => {
  const model = new RnnLm({ ...config("lstm"), hiddenSize: 16 }, { seed: 1 });
  const pattern = [0, 1, 2, 3, 4, 5, 6];
  const stream = Array.from({ length: 4 * 7 + 1 }, (_, i) => pattern[i % 7]!);
  const x = ids(stream.slice(0, -1), 14);
  const y = ids(stream.slice(1), 14);
  const optimizer = new Adam(model.parameters(), { lr: 0.05 });
  let loss = Number.POSITIVE_INFINITY;
  for (let step = 0; step < 60 && loss > 0.05; step++) loss = optimizer.stepOn(model.loss(x, y)).loss;
  assert.ok(loss < 0.05, `loss ${loss}`);
  const greedy = { maxTokens: 12, sampler: { temperature: 0 } };
  assert.deepEqual(model.generate([2, 3], greedy), [4, 5, 6, 0, 1, 2, 3, 4, 5, 6, 0, 1]);
  // Every step after the prompt has the same graph: generating longer compiles nothing new.
  const before = compileCount();
  model.generate([2, 3], { ...greedy, maxTokens: 30 });
  assert.equal(compileCount(), before);
  // Sampling is reproducible per seed, and onToken can stop it.
  const a = model.generate([0], { maxTokens: 10, seed: 5 });
  assert.deepEqual(model.generate([0], { maxTokens: 10, seed: 5 }), a);
  const seen: number[] = [];
  model.generate([0], { maxTokens: 10, onToken: (id) => seen.push(id) < 3 });
  assert.equal(seen.length, 3);
  assert.ok(model.training, "generate puts the model back in training mode");
  assert.throws(() => model.generate([9], greedy), /token id 9 is outside the vocabulary \[0, 7\)/);
  assert.throws(() => model.generate([], greedy), /the prompt needs at least one token/);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { toHost } from "../../src/ir/storage.js";
import { GRU } from "../../src/nn/gru.js";
import { LSTM } from "../../src/nn/lstm.js";
import type { RecurrentLayer } from "../../src/nn/recurrent-layer.js";
import { RNN } from "../../src/nn/rnn.js";
import { SeededRng } from "../../src/random/seeded-rng.js";
import { withTarget } from "../../src/runtime/default-target.js";
import { createRefTarget } from "../../src/targets/index.js";
import { tensor } from "../../src/tensor/creation.js";
import { gradients } from "../../src/tensor/functional.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { assertClose as close } from "../helpers/assert-close.js";
import { lcg } from "../helpers/values.js";

const s = (v: number) => 1 / (1 + Math.exp(-v));

/** Sets every parameter of a layer by name from nested values. */
function setWeights(layer: RecurrentLayer, values: Record<string, number[]>) {
  const params = new Map(layer.namedParameters());
  for (const [name, data] of Object.entries(values)) {
    const p = params.get(name);
    assert.ok(p, `no parameter ${name}`);
    p.assign(tensor(data, p.shape));
  }
}

test("RNN: two tanh steps by hand, and a second layer reading the first layer's outputs", () => {
  const rnn = new RNN(1, 1, { numLayers: 2 });
  setWeights(rnn, {
    weight_ih_l0: [2],
    weight_hh_l0: [-1],
    bias_ih_l0: [0.5],
    bias_hh_l0: [0],
    weight_ih_l1: [1],
    weight_hh_l1: [0.5],
    bias_ih_l1: [0],
    bias_hh_l1: [0],
  });
  // Layer 0 from h = 0: h1 = tanh(2·1 + 0.5), h2 = tanh(2·(−1) + 0.5 − h1).
  const h1 = Math.tanh(2.5);
  const h2 = Math.tanh(-1.5 - h1);
  // Layer 1 reads h1, h2: g1 = tanh(h1), g2 = tanh(h2 + 0.5·g1).
  const g1 = Math.tanh(h1);
  const g2 = Math.tanh(h2 + 0.5 * g1);
  const { output, h } = rnn.forward(tensor([1, -1], [1, 2, 1]));
  assert.deepEqual(output.shape, [1, 2, 1]);
  close(output.dataSync(), [g1, g2]);
  assert.deepEqual(h.shape, [2, 1, 1]);
  close(h.dataSync(), [h2, g2]);
  // relu instead of tanh: h1 = 2.5, h2 = max(−1.5 − 2.5, 0) = 0.
  const relu = new RNN(1, 1, { nonlinearity: "relu" });
  setWeights(relu, { weight_ih_l0: [2], weight_hh_l0: [-1], bias_ih_l0: [0.5], bias_hh_l0: [0] });
  close(relu.forward(tensor([1, -1], [1, 2, 1])).output.dataSync(), [2.5, 0]);
});

test("LSTM: two steps by hand from a given h0 and c0, gates in PyTorch's order i, f, g, o", () => {
  const lstm = new LSTM(1, 1);
  // Rows of the weights: i, f, g, o.
  setWeights(lstm, {
    weight_ih_l0: [1, 0, 2, -1],
    weight_hh_l0: [0, 2, 0, 2],
    bias_ih_l0: [0, 0, 0, 0],
    bias_hh_l0: [0, 1, 0, 0],
  });
  // Step 1, x = 1, h = 0.5, c = 2: i = s(1), f = s(2·0.5 + 1), g = tanh(2), o = s(−1 + 2·0.5).
  const c1 = s(2) * 2 + s(1) * Math.tanh(2);
  const h1 = s(0) * Math.tanh(c1);
  // Step 2, x = 0: i = s(0), f = s(2·h1 + 1), g = tanh(0) = 0, o = s(2·h1).
  const c2 = s(2 * h1 + 1) * c1;
  const h2 = s(2 * h1) * Math.tanh(c2);
  const out = lstm.forward(tensor([1, 0], [1, 2, 1]), {
    h: tensor([0.5], [1, 1, 1]),
    c: tensor([2], [1, 1, 1]),
  });
  close(out.output.dataSync(), [h1, h2]);
  close(out.h.dataSync(), [h2]);
  close(out.c.dataSync(), [c2]);
  assert.deepEqual(out.c.shape, [1, 1, 1]);
});

test("GRU: two steps by hand, r scaling W_hn·h + b_hn as in PyTorch", () => {
  const gru = new GRU(1, 1);
  // Rows: r, z, n.
  setWeights(gru, {
    weight_ih_l0: [1, -1, 2],
    weight_hh_l0: [2, 0, 4],
    bias_ih_l0: [0, 0, 0],
    bias_hh_l0: [-1, 1, 1],
  });
  // Step 1, x = 1, h = 0.5: r = s(1 + 1 − 1), z = s(−1 + 1) = ½, n = tanh(2 + r·(2 + 1)).
  const h1 = 0.5 * Math.tanh(2 + 3 * s(1)) + 0.25;
  // Step 2, x = 0: r = s(2·h1 − 1), z = s(1), n = tanh(r·(4·h1 + 1)).
  const n2 = Math.tanh(s(2 * h1 - 1) * (4 * h1 + 1));
  const h2 = (1 - s(1)) * n2 + s(1) * h1;
  const { output, h } = gru.forward(tensor([1, 0], [1, 2, 1]), tensor([0.5], [1, 1, 1]));
  close(output.dataSync(), [h1, h2]);
  close(h.dataSync(), [h2]);
});

// test/nn/pytorch-recurrent-reference.py made these numbers with PyTorch (float64), from the
// weights, input and states that `fillLikeTheScript` builds.
const PYTORCH = {
  RNN: {
    output: [
      0.0220430177, 0.1893361924, 0.9143031049, -0.2013531644, 0.7116816341, 0.7908235968, -0.1803666355,
      0.7567091529, 0.741142735, 0.1241802556, 0.513030522, 0.7900430431, 0.2400455458, 0.7125876419,
      0.553078343, 0.3248063299, 0.7350317267, 0.4486395917,
    ],
    h: [
      0.8255565147, 0.6589484572, -0.8386089981, 0.0727020901, -0.3826190956, -0.6819912975, -0.1803666355,
      0.7567091529, 0.741142735, 0.3248063299, 0.7350317267, 0.4486395917,
    ],
  },
  LSTM: {
    output: [
      -0.2463632727, -0.2784139164, -0.0214043759, -0.3262393202, -0.3730251671, -0.0709279473, -0.3741681472,
      -0.3922925305, -0.0672292331, -0.1389058259, -0.1862374116, -0.1269589805, -0.270175133, -0.3460433555,
      -0.1688159327, -0.3567519432, -0.3897853384, -0.1800601459,
    ],
    h: [
      0.4422657165, 0.1621937491, -0.0060762275, 0.0971456428, 0.1032897455, 0.1288784353, -0.3741681472,
      -0.3922925305, -0.0672292331, -0.3567519432, -0.3897853384, -0.1800601459,
    ],
    c: [
      0.7104136623, 0.2602257731, -0.0198540765, 0.1661742529, 0.381741721, 0.387859303, -0.8342799989,
      -0.7944412185, -0.0873741522, -0.7413334264, -0.7564242072, -0.2465353901,
    ],
  },
  GRU: {
    output: [
      -0.3978846035, -0.4936901205, -0.0829625554, -0.4708463287, -0.6542669113, -0.0075677474, -0.5228699622,
      -0.7165347314, 0.0393304422, -0.3140515959, -0.1651444699, -0.1141751139, -0.5074979149, -0.3050793065,
      -0.1529372245, -0.633252644, -0.3662805037, -0.1642408892,
    ],
    h: [
      0.7320999582, 0.174834799, -0.0980408757, 0.1665880104, 0.6393637379, 0.7553820314, -0.5228699622,
      -0.7165347314, 0.0393304422, -0.633252644, -0.3662805037, -0.1642408892,
    ],
  },
};

const fill = (shape: number[], fn: (k: number) => number) =>
  tensor(
    Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, k) => fn(k)),
    shape,
  );

/** The script's weights (state-dict order), input and initial states. */
function fillLikeTheScript(layer: RecurrentLayer) {
  const dict = new Map<string, Tensor>();
  layer.namedParameters().forEach(([name, p], position) => {
    dict.set(
      name,
      fill([...p.shape], (k) => 0.5 * Math.sin(0.7 * k + position)),
    );
  });
  layer.loadStateDict(dict);
  return {
    x: fill([2, 3, 2], (k) => Math.sin(0.3 * k + 1)),
    h0: fill([2, 2, 3], (k) => 0.25 * Math.cos(0.5 * k)),
    c0: fill([2, 2, 3], (k) => 0.25 * Math.cos(0.5 * k + 1)),
  };
}

test("a PyTorch state dict loads as it is: two-layer RNN, LSTM and GRU give PyTorch's outputs", () => {
  const rnn = new RNN(2, 3, { numLayers: 2 });
  const r = fillLikeTheScript(rnn);
  const rnnOut = rnn.forward(r.x, r.h0);
  close(rnnOut.output.dataSync(), PYTORCH.RNN.output);
  close(rnnOut.h.dataSync(), PYTORCH.RNN.h);

  const lstm = new LSTM(2, 3, { numLayers: 2 });
  const l = fillLikeTheScript(lstm);
  const lstmOut = lstm.forward(l.x, { h: l.h0, c: l.c0 });
  close(lstmOut.output.dataSync(), PYTORCH.LSTM.output);
  close(lstmOut.h.dataSync(), PYTORCH.LSTM.h);
  close(lstmOut.c.dataSync(), PYTORCH.LSTM.c);

  const gru = new GRU(2, 3, { numLayers: 2 });
  const g = fillLikeTheScript(gru);
  const gruOut = gru.forward(g.x, g.h0);
  close(gruOut.output.dataSync(), PYTORCH.GRU.output);
  close(gruOut.h.dataSync(), PYTORCH.GRU.h);
});

test("parameters have PyTorch's names, shapes and init U(−1/√H, 1/√H)", () => {
  const names = (layer: RecurrentLayer) => layer.namedParameters().map(([n, p]) => `${n} [${p.shape}]`);
  assert.deepEqual(names(new LSTM(3, 4, { numLayers: 2 })), [
    "weight_ih_l0 [16,3]",
    "weight_hh_l0 [16,4]",
    "bias_ih_l0 [16]",
    "bias_hh_l0 [16]",
    "weight_ih_l1 [16,4]",
    "weight_hh_l1 [16,4]",
    "bias_ih_l1 [16]",
    "bias_hh_l1 [16]",
  ]);
  assert.deepEqual(names(new GRU(3, 4)), [
    "weight_ih_l0 [12,3]",
    "weight_hh_l0 [12,4]",
    "bias_ih_l0 [12]",
    "bias_hh_l0 [12]",
  ]);
  assert.deepEqual(names(new RNN(3, 4, { bias: false })), ["weight_ih_l0 [4,3]", "weight_hh_l0 [4,4]"]);

  const big = new LSTM(8, 16, { rng: new SeededRng(5) });
  const values = big.parameters().flatMap((p) => Array.from(p.dataSync()));
  const bound = 1 / 4;
  assert.ok(values.every((v) => Math.abs(v) <= bound));
  assert.ok(Math.max(...values) > 0.95 * bound && Math.min(...values) < -0.95 * bound);
  const again = new LSTM(8, 16, { rng: new SeededRng(5) });
  assert.deepEqual(
    again.parameters().flatMap((p) => Array.from(p.dataSync())),
    values,
  );
});

test("layers without biases run on zero biases", () => {
  const gru = new GRU(1, 1, { bias: false });
  setWeights(gru, { weight_ih_l0: [1, -1, 2], weight_hh_l0: [2, 0, 4] });
  // As the hand-computed GRU test with b_hh = 0: r = s(1 + 1), z = s(−1), n = tanh(2 + r·2).
  const r = s(2);
  const z = s(-1);
  close(gru.forward(tensor([1], [1, 1, 1]), tensor([0.5], [1, 1, 1])).output.dataSync(), [
    (1 - z) * Math.tanh(2 + 2 * r) + z * 0.5,
  ]);
});

test("bad shapes: the input, h0 or c0 of the wrong size are errors that name the sizes", () => {
  const lstm = new LSTM(2, 3, { numLayers: 2 });
  const x = fill([4, 5, 2], () => 0);
  assert.throws(
    () => lstm.forward(fill([4, 5, 3], () => 0)),
    /^Error: LSTM: expects float32 input \[batch, time ≥ 1, 2\] \(batch first\), got float32 \[4,5,3\]$/,
  );
  assert.throws(
    () => lstm.forward(x, { h: fill([2, 4, 4], () => 0), c: fill([2, 4, 3], () => 0) }),
    /^Error: LSTM: h0 must be float32 \[numLayers, batch, hiddenSize\] = \[2,4,3\], got float32 \[2,4,4\]$/,
  );
  assert.throws(
    () => lstm.forward(x, { h: fill([2, 4, 3], () => 0), c: fill([1, 4, 3], () => 0) }),
    /c0 must be float32 \[numLayers, batch, hiddenSize\] = \[2,4,3\], got float32 \[1,4,3\]$/,
  );
  assert.throws(
    () =>
      new GRU(2, 3).forward(
        x,
        fill([1, 3, 3], () => 0),
      ),
    /GRU: h0 must be .* = \[1,4,3\]/,
  );
  assert.throws(() => new RNN(2, 0), /RNN: hiddenSize must be a positive integer, got 0/);
  assert.throws(() => new LSTM(2, 3, { dropout: 1 }), /LSTM: dropout must be in \[0, 1\), got 1/);
});

// Gradients through time against central finite differences, in float64 on the `ref64`
// target. Values are multiples of 2⁻¹², and so is the step, so x ± h is exact in float32
// storage and the differences measure the function, not rounding.
const ref64 = createRefTarget({ name: "ref64-recurrent", float64: true });
const STEP = 2 ** -12;

/** The computed values as stored, float64 on ref64 (dataSync copies into the dtype's float32 array). */
function stored(t: Tensor): number[] {
  Tensor.realize(t);
  return Array.from(toHost(t.node.buffer!));
}

function gridValues(rnd: () => number, n: number): number[] {
  return Array.from({ length: n }, () => Math.round((rnd() * 2 - 1) * 2 ** 11) * STEP);
}

function checkGradientsThroughTime(
  layer: RecurrentLayer,
  run: (x: Tensor, state: Tensor[]) => Tensor[],
  stateCount: number,
) {
  const rnd = lcg(11);
  const [batch, time, hidden] = [2, 3, layer.hiddenSize];
  for (const p of layer.parameters()) p.assign(tensor(gridValues(rnd, p.size), p.shape));
  const xShape = [batch, time, layer.inputSize];
  const stateShape = [layer.numLayers, batch, hidden];
  const inputs = [
    tensor(gridValues(rnd, batch * time * layer.inputSize), xShape),
    ...Array.from({ length: stateCount }, () =>
      tensor(gridValues(rnd, stateShape[0]! * batch * hidden), stateShape),
    ),
  ];
  // The loss weighs every output and final state with fixed random weights.
  const loss = (x: Tensor, states: Tensor[]) => {
    const outs = run(x, states);
    const weighed = outs.map((o, i) => {
      const w = lcg(100 + i);
      return o
        .mul(
          tensor(
            Array.from({ length: o.size }, () => w() * 2 - 1),
            [...o.shape],
          ),
        )
        .sum();
    });
    return weighed.reduce((a, b) => a.add(b));
  };
  withTarget(ref64, () => {
    for (const input of inputs) input.requiresGrad = true;
    const params = layer.parameters();
    const analytic = gradients(loss(inputs[0]!, inputs.slice(1)), [...params, ...inputs]).map(stored);
    for (const input of inputs) input.requiresGrad = false;
    const operands = [...params, ...inputs];
    let worst = 0;
    let where = "";
    operands.forEach((operand, k) => {
      const base = Array.from(operand.dataSync());
      const shape = [...operand.shape];
      for (let j = 0; j < base.length; j++) {
        const at = (delta: number) => {
          const moved = tensor(
            base.map((v, i) => (i === j ? v + delta : v)),
            shape,
          );
          if (k < params.length) params[k]!.assign(moved);
          const current = inputs.map((input, i) => (k - params.length === i ? moved : input));
          return stored(loss(current[0]!, current.slice(1)))[0]!;
        };
        const numeric = (at(STEP) - at(-STEP)) / (2 * STEP);
        if (k < params.length) params[k]!.assign(tensor(base, shape));
        const error = Math.abs(analytic[k]![j]! - numeric) / Math.max(1e-3, Math.abs(numeric));
        if (error > worst) {
          worst = error;
          where = `operand ${k} element ${j}: analytic ${analytic[k]![j]}, numeric ${numeric}`;
        }
      }
    });
    assert.ok(worst < 1e-5, `relative error ${worst.toExponential(2)} at ${where}`);
  });
}

test("gradients through time match finite differences: two-layer RNN, LSTM, GRU", () => {
  const rnn = new RNN(2, 2, { numLayers: 2 });
  checkGradientsThroughTime(
    rnn,
    (x, [h0]) => {
      const out = rnn.forward(x, h0);
      return [out.output, out.h];
    },
    1,
  );
  const lstm = new LSTM(2, 2, { numLayers: 2 });
  checkGradientsThroughTime(
    lstm,
    (x, [h, c]) => {
      const out = lstm.forward(x, { h: h!, c: c! });
      return [out.output, out.h, out.c];
    },
    2,
  );
  const gru = new GRU(2, 2, { numLayers: 2 });
  checkGradientsThroughTime(
    gru,
    (x, [h0]) => {
      const out = gru.forward(x, h0);
      return [out.output, out.h];
    },
    1,
  );
});

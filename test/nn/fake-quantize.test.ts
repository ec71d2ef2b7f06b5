import assert from "node:assert/strict";
import { test } from "node:test";
import { INT4_GRID, INT8_GRID } from "../../src/compress/integer-grids.js";
import { quantizeMatrix } from "../../src/compress/quantize-matrix.js";
import { fakeQuantize, setFakeQuantization } from "../../src/nn/fake-quantize.js";
import { Linear } from "../../src/nn/linear.js";
import { Module } from "../../src/nn/module.js";
import { randn } from "../../src/tensor/creation.js";
import { grad } from "../../src/tensor/functional.js";

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

test("fake quantization rounds as quantize writes (int8 per channel, int4 per block of 32), up to the scale's f16 rounding", () => {
  const w = randn([6, 64], { seed: 1 });
  const values = Float32Array.from(w.dataSync());
  for (const [bits, grid, granularity] of [
    [8, INT8_GRID, "channel"],
    [4, INT4_GRID, "block"],
  ] as const) {
    const fake = fakeQuantize(w, bits).dataSync();
    const real = quantizeMatrix(values, 6, 64, { grid, granularity, scales: { method: "minmax" } }).values;
    // The scales differ by binary16 rounding only: a weight near a rounding boundary may
    // land one step apart; nearly all land on the same value.
    const step = (Math.max(...Array.from(values, Math.abs)) / (bits === 8 ? 127 : 8)) * 1.01;
    assert.ok(maxDiff(fake, real) <= step, `${bits}: ${maxDiff(fake, real)}`);
    const same = Array.from(fake).filter((v, i) => Math.abs(v - real[i]!) < step / 20).length;
    assert.ok(same >= 0.95 * fake.length, `${bits}: ${same} of ${fake.length}`);
    const distinct = new Set(Array.from(fake.subarray(0, 32), (v) => v.toFixed(6)));
    assert.ok(distinct.size <= (bits === 8 ? 255 : 16));
  }
});

test("the gradient passes straight through the rounding", () => {
  const w = randn([4, 32], { seed: 2 });
  const c = randn([4, 32], { seed: 3 });
  const g = grad((x) => fakeQuantize(x, 4).mul(c).sum())(w);
  assert.deepEqual(Array.from(g.dataSync()), Array.from(c.dataSync()));
  assert.throws(() => fakeQuantize(randn([4, 48]), 4), /rows of 48 are not whole blocks/);
});

test("setFakeQuantization makes every Linear train through it, and undoes it", () => {
  class Two extends Module {
    readonly a = this.submodule("a", new Linear(32, 32));
    readonly b = this.submodule("b", new Linear(32, 8));
  }
  const model = new Two();
  const x = randn([2, 32], { seed: 4 });
  const exact = model.b.forward(model.a.forward(x)).dataSync();
  setFakeQuantization(model, 4);
  const fake = model.b.forward(model.a.forward(x)).dataSync();
  assert.ok(maxDiff(fake, exact) > 0 && maxDiff(fake, exact) < 0.3);
  setFakeQuantization(model, undefined);
  assert.deepEqual(model.b.forward(model.a.forward(x)).dataSync(), exact);
});

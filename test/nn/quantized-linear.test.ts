import assert from "node:assert/strict";
import { test } from "node:test";
import { dequantizeRows, quantizedMatmul, quantizeRows, randn, tensor } from "../../src/index.js";
import { Linear } from "../../src/nn/linear.js";
import { Module } from "../../src/nn/module.js";
import { QuantizedLinear } from "../../src/nn/quantized-linear.js";
import { dequantize, quantize } from "../../src/quant/index.js";
import { SeededRng } from "../../src/random/seeded-rng.js";

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

test("quantizeRows, dequantizeRows and quantizedMatmul agree with the codec", () => {
  const w = randn([5, 64], { seed: 3 });
  const packed = quantizeRows(w, "q4_0"); // any letter case
  assert.equal(packed.dtype, "uint8");
  assert.deepEqual(packed.shape, [5, 36]);
  const bytes = quantize("Q4_0", Float32Array.from(w.dataSync()), 64);
  assert.deepEqual(Uint8Array.from(packed.dataSync()), bytes);
  const values = dequantize("Q4_0", bytes, 64);
  assert.deepEqual(Float32Array.from(dequantizeRows(packed, "Q4_0").dataSync()), values);
  const x = randn([2, 3, 64], { seed: 4 });
  const expected = x.matmul(tensor(values, [5, 64]).transpose());
  const y = quantizedMatmul(x, packed, "Q4_0");
  assert.deepEqual(y.shape, [2, 3, 5]);
  assert.ok(maxDiff(y.dataSync(), expected.dataSync()) < 1e-4);
  assert.throws(() => quantizeRows(w, "Q4_K"), /a Q4_K row holds a multiple of 256 values, got 64/);
  assert.throws(
    () => quantizedMatmul(x, packed, "Q8_0"),
    /quantizedMatmul: \[5,36\]: a Q8_0 row is a multiple of 34 bytes/,
  );
});

test("QuantizedLinear from a Linear: close to it, weight a buffer, gradients to x and the bias", () => {
  const linear = new Linear(64, 8, { rng: new SeededRng(1) });
  const x = randn([3, 64], { seed: 2 });
  const reference = linear.forward(x).dataSync();
  for (const [type, tolerance] of [
    ["F16", 2e-3],
    ["Q8_0", 2e-2],
    ["Q4_0", 2e-1],
  ] as const) {
    const q = QuantizedLinear.fromLinear(linear, type);
    assert.ok(maxDiff(q.forward(x).dataSync(), reference) < tolerance, type);
    assert.deepEqual(
      q.parameters().map((p) => p.shape),
      [[8]],
      "only the bias is trained",
    );
    assert.deepEqual([...q.stateDict().keys()].sort(), ["bias", "weight"]);
  }
  const q = QuantizedLinear.fromLinear(linear, "Q8_0");
  const xg = x.detach();
  xg.requiresGrad = true;
  q.forward(xg).sum().backward();
  // d Σy / dx = Σ_out W[out, :] for every row; d Σy / db = the number of rows.
  const columnSums = q.dequantizedWeight().sum(0).dataSync();
  assert.ok(maxDiff(xg.grad!.dataSync().slice(0, 64), columnSums) < 1e-5);
  assert.deepEqual(Array.from(q.bias!.grad!.dataSync()), Array(8).fill(3));
  // A vector input is one row.
  assert.deepEqual(q.forward(x.slice([0, 0], [1, 64]).reshape([64])).shape, [8]);
});

test("a QuantizedLinear's state dict loads into another one (buffers travel with parameters)", () => {
  const source = QuantizedLinear.fromLinear(new Linear(32, 4, { rng: new SeededRng(5) }), "Q8_0");
  const target = new QuantizedLinear(32, 4, "Q8_0", {
    weight: tensor(new Uint8Array(4 * 34), [4, 34], { dtype: "uint8" }),
    bias: tensor(new Float32Array(4)),
  });
  target.loadStateDict(source.stateDict());
  const x = randn([2, 32], { seed: 6 });
  assert.deepEqual(target.forward(x).dataSync(), source.forward(x).dataSync());
  assert.throws(
    () => new QuantizedLinear(32, 4, "Q4_K", { weight: source.weight }),
    /a Q4_K row holds a multiple of 256 values, got 32/,
  );
  assert.throws(
    () => new QuantizedLinear(64, 4, "Q8_0", { weight: source.weight }),
    /a Q8_0 weight for 64 → 4 is uint8 \[4,68\], got uint8 \[4,34\]/,
  );
  class Holder extends Module {
    readonly layer = this.submodule("layer", source);
  }
  assert.deepEqual(
    new Holder().namedBuffers().map(([name]) => name),
    ["layer.weight"],
  );
});

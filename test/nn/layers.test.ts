import assert from "node:assert/strict";
import { test } from "node:test";
import { gradients, Tensor, tensor } from "../../src/index.js";
import { Dropout } from "../../src/nn/dropout.js";
import { Embedding } from "../../src/nn/embedding.js";
import { LayerNorm } from "../../src/nn/layer-norm.js";
import { Linear } from "../../src/nn/linear.js";
import { RmsNorm } from "../../src/nn/rms-norm.js";
import { SeedStream } from "../../src/nn/seed-stream.js";
import { Sequential } from "../../src/nn/sequential.js";
import { SeededRng } from "../../src/random/seeded-rng.js";
import { assertClose as close } from "../helpers/assert-close.js";

test("Linear computes x·Wᵀ + b with W stored [out, in]", () => {
  const layer = new Linear(2, 3);
  assert.deepEqual(layer.weight.shape, [3, 2]);
  layer.weight.assign(
    tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]),
  );
  layer.bias!.assign(tensor([1, 0, -1]));
  close(layer.forward(tensor([[1, 1]])).dataSync(), [4, 7, 10]);
  // Any number of leading axes.
  const y = layer.forward(tensor([1, 2, 0, -1], [2, 1, 2]));
  assert.deepEqual(y.shape, [2, 1, 3]);
  close(y.dataSync(), [6, 11, 16, -1, -4, -7]);
  const noBias = new Linear(2, 3, { bias: false });
  assert.deepEqual(
    noBias.namedParameters().map(([n]) => n),
    ["weight"],
  );
  assert.throws(() => layer.forward(tensor([1, 2, 3])), /Linear: expects inputs \[\.\.\., 2\], got \[3\]/);
  assert.throws(() => new Linear(0, 3), /inFeatures must be a positive integer, got 0/);
});

test("Linear starts as PyTorch does: U(−1/√in, 1/√in), reproducible from the rng", () => {
  const a = new Linear(64, 32, { rng: new SeededRng(1) });
  const bound = 1 / 8;
  const w = Array.from(a.weight.dataSync());
  assert.ok(w.every((v) => Math.abs(v) <= bound));
  // Uniform on [−b, b]: mean 0, variance b²/3, and values near both ends.
  const mean = w.reduce((s, v) => s + v, 0) / w.length;
  const variance = w.reduce((s, v) => s + (v - mean) ** 2, 0) / w.length;
  assert.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
  assert.ok(Math.abs(variance / (bound ** 2 / 3) - 1) < 0.1, `variance ${variance}`);
  assert.ok(Math.max(...w) > 0.95 * bound && Math.min(...w) < -0.95 * bound);
  assert.ok(a.bias!.dataSync().every((v) => Math.abs(v) <= bound));
  const b = new Linear(64, 32, { rng: new SeededRng(1) });
  assert.deepEqual(Array.from(b.weight.dataSync()), w);
  const c = new Linear(64, 32, { rng: new SeededRng(2) });
  assert.notDeepEqual(Array.from(c.weight.dataSync()), w);
});

test("Embedding looks up rows and starts as N(0, 1)", () => {
  const e = new Embedding(3, 2);
  e.weight.assign(
    tensor([
      [0, 1],
      [2, 3],
      [4, 5],
    ]),
  );
  const ids = tensor(
    [
      [2, 0],
      [1, 1],
    ],
    { dtype: "int32" },
  );
  close(e.forward(ids).dataSync(), [4, 5, 0, 1, 2, 3, 2, 3]);
  assert.throws(() => e.forward(tensor([1])), /ids must be int32, got float32/);
  const w = Array.from(new Embedding(100, 20, { rng: new SeededRng(3) }).weight.dataSync());
  const mean = w.reduce((s, v) => s + v, 0) / w.length;
  const std = Math.sqrt(w.reduce((s, v) => s + (v - mean) ** 2, 0) / w.length);
  assert.ok(Math.abs(mean) < 0.1 && Math.abs(std - 1) < 0.1, `mean ${mean}, std ${std}`);
});

test("LayerNorm normalises [1, 2, 3, 4] then scales and shifts", () => {
  const ln = new LayerNorm(4);
  // mean 2.5, variance 1.25: (x − 2.5)/√1.25 = ±0.4472, ±1.3416
  close(ln.forward(tensor([1, 2, 3, 4])).dataSync(), [-1.341635, -0.447212, 0.447212, 1.341635], 1e-4);
  ln.weight.assign(tensor([1, 2, 1, 1]));
  ln.bias!.assign(tensor([0, 0, 0, 1]));
  close(ln.forward(tensor([1, 2, 3, 4])).dataSync(), [-1.341635, -0.894423, 0.447212, 2.341635], 1e-4);
  const plain = new LayerNorm(4, { bias: false });
  assert.deepEqual(
    plain.namedParameters().map(([n]) => n),
    ["weight"],
  );
  close(plain.forward(tensor([1, 2, 3, 4])).dataSync(), [-1.341635, -0.447212, 0.447212, 1.341635], 1e-4);
});

test("RmsNorm divides by the root mean square", () => {
  const norm = new RmsNorm(2);
  // mean(9, 16) = 12.5, √12.5 = 3.5355
  close(norm.forward(tensor([3, 4])).dataSync(), [0.848528, 1.131371], 1e-5);
  norm.weight.assign(tensor([2, -1]));
  close(norm.forward(tensor([3, 4])).dataSync(), [1.697056, -1.131371], 1e-5);
});

test("Dropout: seeded masks that change per call and rewind with the stream; identity in eval", () => {
  const seeds = new SeedStream(7);
  const drop = new Dropout(0.5, { seeds });
  const x = tensor(new Float32Array(200).fill(1));
  const saved = seeds.state();
  const first = drop.forward(x).dataSync();
  assert.ok(first.every((v) => v === 0 || v === 2));
  const kept = first.filter((v) => v === 2).length;
  assert.ok(kept > 70 && kept < 130, `kept ${kept} of 200`);
  const second = drop.forward(x).dataSync();
  assert.notDeepEqual(second, first);
  seeds.setState(saved);
  assert.deepEqual(drop.forward(x).dataSync(), first);
  drop.eval();
  assert.equal(drop.forward(x), x);
  assert.equal(new Dropout(0).forward(x), x);
  assert.throws(() => new Dropout(1), /p must be in \[0, 1\), got 1/);
});

test("Sequential chains layers and names them by position", () => {
  const rng = new SeededRng(4);
  const first = new Linear(3, 4, { rng });
  const second = new Linear(4, 2, { rng });
  const net = new Sequential(first, second);
  assert.deepEqual(
    net.namedParameters().map(([n]) => n),
    ["0.weight", "0.bias", "1.weight", "1.bias"],
  );
  const x = tensor([[1, -2, 0.5]]);
  close(net.forward(x).dataSync(), Array.from(second.forward(first.forward(x)).dataSync()));
  const grads = gradients(net.forward(x).sum(), net.parameters());
  assert.ok(grads.every((g) => g.dataSync().some((v) => v !== 0)));
  assert.ok(net.parameters().every((p) => p instanceof Tensor));
});

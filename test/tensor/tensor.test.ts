import assert from "node:assert/strict";
import { test } from "node:test";
import {
  arange,
  concat,
  eye,
  full,
  linspace,
  memoryStats,
  ones,
  rand,
  randn,
  stack,
  tensor,
  where,
  zeros,
} from "../../src/index.js";
import { assertClose } from "../helpers/assert-close.js";

const close = (a: ArrayLike<number>, b: readonly number[], tol = 1e-6) => assertClose(a, b, tol);

test("creation from nested arrays, typed arrays and shapes", () => {
  const a = tensor([
    [1, 2],
    [3, 4],
  ]);
  assert.deepEqual(a.shape, [2, 2]);
  assert.equal(a.dtype, "float32");
  assert.deepEqual(a.toArray(), [
    [1, 2],
    [3, 4],
  ]);
  const b = tensor(Int32Array.of(1, 2, 3, 4, 5, 6), [2, 3]);
  assert.equal(b.dtype, "int32");
  assert.deepEqual(b.shape, [2, 3]);
  assert.equal(tensor([true, false]).dtype, "bool");
  assert.equal(tensor(5).item(), 5);
  assert.deepEqual(tensor(5).shape, []);
  assert.deepEqual(tensor([]).shape, [0]);
});

test("zeros, ones, full, arange, linspace, eye", () => {
  close(zeros([2]).dataSync(), [0, 0]);
  close(ones([3]).dataSync(), [1, 1, 1]);
  close(full([2], 7).dataSync(), [7, 7]);
  assert.deepEqual(Array.from(arange(4).dataSync()), [0, 1, 2, 3]);
  assert.equal(arange(4).dtype, "int32");
  close(arange(0, 1, 0.25).dataSync(), [0, 0.25, 0.5, 0.75]);
  assert.deepEqual(Array.from(arange(5, 0, -2).dataSync()), [5, 3, 1]);
  close(linspace(0, 1, 5).dataSync(), [0, 0.25, 0.5, 0.75, 1]);
  close(eye(2, 3).dataSync(), [1, 0, 0, 0, 1, 0]);
});

test("rand and randn are reproducible from a seed and differ between seeds", () => {
  const a = rand([64], { seed: 5 }).dataSync();
  const b = rand([64], { seed: 5 }).dataSync();
  const c = rand([64], { seed: 6 }).dataSync();
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.deepEqual(randn([3, 3], { seed: 1 }).dataSync(), randn([3, 3], { seed: 1 }).dataSync());
  // Element i depends only on (seed, i): a prefix of a longer draw is the shorter draw.
  assert.deepEqual(rand([100], { seed: 9 }).dataSync().slice(0, 10), rand([10], { seed: 9 }).dataSync());
});

test("NumPy broadcasting", () => {
  const col = tensor([[1], [2], [3]]);
  const row = tensor([10, 20, 30, 40]);
  const sum = col.add(row);
  assert.deepEqual(sum.shape, [3, 4]);
  assert.deepEqual(sum.toArray(), [
    [11, 21, 31, 41],
    [12, 22, 32, 42],
    [13, 23, 33, 43],
  ]);
  assert.deepEqual(tensor([1, 2]).mul(3).toArray(), [3, 6]);
  assert.deepEqual(where(tensor([true, false]), 1, tensor([5, 6])).toArray(), [1, 6]);
});

test("matmul promotes vectors as NumPy does", () => {
  const m = tensor([
    [1, 2],
    [3, 4],
  ]);
  const v = tensor([1, 1]);
  assert.deepEqual(m.matmul(v).toArray(), [3, 7]);
  assert.deepEqual(v.matmul(m).toArray(), [4, 6]);
  assert.equal(v.matmul(v).item(), 2);
});

test("movement helpers", () => {
  const x = arange(6).reshape([2, 3]);
  assert.deepEqual(x.transpose().toArray(), [
    [0, 3],
    [1, 4],
    [2, 5],
  ]);
  assert.deepEqual(x.unsqueeze(0).shape, [1, 2, 3]);
  assert.deepEqual(x.unsqueeze(0).squeeze().shape, [2, 3]);
  assert.deepEqual(x.slice([0, 1]).toArray(), [
    [1, 2],
    [4, 5],
  ]);
  assert.deepEqual(x.flip(1).toArray(), [
    [2, 1, 0],
    [5, 4, 3],
  ]);
  assert.deepEqual(concat([x, x], 0).shape, [4, 3]);
  assert.deepEqual(stack([x, x], 1).shape, [2, 2, 3]);
  assert.deepEqual(x.max(1).toArray(), [2, 5]);
  assert.deepEqual(x.min(1).toArray(), [0, 3]);
  assert.deepEqual(x.argmax(1).toArray(), [2, 2]);
});

test("data() resolves to a copy of the values", async () => {
  const t = tensor([1, 2, 3]).mul(2);
  const d = await t.data();
  assert.ok(d instanceof Float32Array);
  assert.deepEqual(Array.from(d), [2, 4, 6]);
  d[0] = 99;
  assert.equal(t.dataSync()[0], 2);
  assert.throws(() => t.item(), /item: tensor has 3 elements/);
});

test("printing looks like NumPy/PyTorch", () => {
  assert.equal(
    String(
      tensor([
        [1, 2.5],
        [-3, 4],
      ]),
    ),
    "tensor([[ 1.0000,  2.5000],\n        [-3.0000,  4.0000]], shape=[2,2], dtype=float32)",
  );
  assert.equal(String(tensor(3)), "tensor(3.0000, shape=[], dtype=float32)");
  assert.equal(String(arange(3)), "tensor([0, 1, 2], shape=[3], dtype=int32)");
  assert.equal(String(tensor([true, false])), "tensor([ true, false], shape=[2], dtype=bool)");
  assert.equal(String(zeros([0, 2])), "tensor([], shape=[0,2], dtype=float32)");
  const big = String(arange(5000).reshape([50, 100]));
  assert.match(big, /\[ {3}0, {4}1, {4}2, \.\.\., {3}97, {3}98, {3}99\]/);
  assert.match(big, /\.\.\./);
  assert.ok(big.split("\n").length < 12, "the middle rows are elided");
  assert.match(String(tensor([1e-8, 1])), /1\.0000e-8/);
});

test("dispose frees the buffer, and using a disposed tensor is an error", () => {
  const before = memoryStats();
  const t = tensor(new Float32Array(1000));
  assert.equal(memoryStats().bytes, before.bytes + 4000);
  const pending = t.add(1);
  t.dispose();
  assert.equal(memoryStats().bytes, before.bytes);
  assert.throws(() => t.dataSync(), /was disposed/);
  assert.throws(() => t.add(1), /was disposed/);
  assert.throws(() => pending.dataSync(), /depends on a disposed tensor/);
  assert.match(String(t), /<disposed>/);
});

test("`using` disposes at the end of the block", () => {
  const before = memoryStats().bytes;
  {
    using t = tensor(new Float32Array(256));
    assert.equal(memoryStats().bytes, before + 1024);
    assert.equal(t.size, 256);
  }
  assert.equal(memoryStats().bytes, before);
});

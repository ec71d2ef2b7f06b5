import assert from "node:assert/strict";
import { test } from "node:test";
import { gradients, type Tensor, tensor } from "../../src/index.js";
import { Module } from "../../src/nn/module.js";

/** y = x·scale + shift, over the last axis. */
class Affine extends Module {
  readonly scale: Tensor;
  readonly shift: Tensor;
  constructor(values: number[]) {
    super();
    this.scale = this.param("scale", tensor(values));
    this.shift = this.param("shift", tensor(values.map(() => 0)));
  }
  forward(x: Tensor): Tensor {
    return x.mul(this.scale).add(this.shift);
  }
}

class Pair extends Module {
  readonly first: Affine;
  readonly second: Affine;
  constructor() {
    super();
    this.first = this.submodule("first", new Affine([1, 2]));
    this.second = this.submodule("second", new Affine([3, 4]));
  }
  forward(x: Tensor): Tensor {
    return this.second.forward(this.first.forward(x));
  }
}

/** Holds `Pair` twice under different names, plus a tensor shared with its inner layer. */
class Outer extends Module {
  readonly inner: Pair;
  constructor() {
    super();
    this.inner = this.submodule("inner", new Pair());
    this.submodule("again", this.inner);
    this.param("tied", this.inner.first.scale);
  }
}

test("parameters are named by dotted paths in registration order", () => {
  const m = new Pair();
  assert.deepEqual(
    m.namedParameters().map(([n]) => n),
    ["first.scale", "first.shift", "second.scale", "second.shift"],
  );
  assert.equal(m.parameters().length, 4);
  assert.ok(m.parameters().every((p) => p.requiresGrad));
  assert.equal(m.parameterCount(), 8);
  assert.deepEqual(
    m.namedModules().map(([n, mod]) => [n, mod.constructor.name]),
    [
      ["", "Pair"],
      ["first", "Affine"],
      ["second", "Affine"],
    ],
  );
});

test("a shared module or tensor is listed once, under its first name", () => {
  const m = new Outer();
  // A module's own parameters come before its children's, as in PyTorch.
  assert.deepEqual(
    m.namedParameters().map(([n]) => n),
    ["tied", "inner.first.shift", "inner.second.scale", "inner.second.shift"],
  );
  assert.equal(m.parameterCount(), 8);
  assert.deepEqual(
    m.namedModules().map(([n]) => n),
    ["", "inner", "inner.first", "inner.second"],
  );
});

test("names are checked: no dots, no duplicates, float32 only", () => {
  class Bad extends Module {
    constructor(kind: string) {
      super();
      if (kind === "dot") this.param("a.b", tensor([1]));
      if (kind === "twice") {
        this.param("w", tensor([1]));
        this.submodule("w", new Affine([1]));
      }
      if (kind === "int") this.param("ids", tensor([1], { dtype: "int32" }));
    }
  }
  assert.throws(() => new Bad("dot"), /name "a\.b" must be letters/);
  assert.throws(() => new Bad("twice"), /"w" is already registered/);
  assert.throws(() => new Bad("int"), /parameters are float32, got int32/);
});

test("train() and eval() reach every descendant", () => {
  const m = new Pair();
  assert.equal(m.training, true);
  assert.equal(m.eval(), m);
  assert.ok(m.namedModules().every(([, mod]) => !mod.training));
  m.train();
  assert.ok(m.namedModules().every(([, mod]) => mod.training));
  m.train(false);
  assert.equal(m.first.training, false);
});

test("a state dict is a snapshot; loading it restores the values", () => {
  const m = new Pair();
  const saved = m.stateDict();
  assert.deepEqual([...saved.keys()], ["first.scale", "first.shift", "second.scale", "second.shift"]);
  m.first.scale.assign(tensor([10, 20]));
  assert.deepEqual(Array.from(saved.get("first.scale")!.dataSync()), [1, 2]);
  const x = tensor([1, 1]);
  assert.deepEqual(Array.from(m.forward(x).dataSync()), [30, 80]);
  m.loadStateDict(saved);
  assert.deepEqual(Array.from(m.forward(x).dataSync()), [3, 8]);
  // Loading keeps the parameter objects (fields stay valid) and their requiresGrad.
  assert.ok(m.first.scale.requiresGrad);
  assert.equal(m.parameters()[0], m.first.scale);
  // A plain object works as well as a Map.
  m.loadStateDict(Object.fromEntries(new Pair().stateDict()));
});

test("strict loading names missing and unexpected keys, and shape mismatches always fail", () => {
  const m = new Pair();
  const dict = m.stateDict();
  dict.delete("second.shift");
  dict.set("third.scale", tensor([1, 2]));
  assert.throws(() => m.loadStateDict(dict), /missing keys: second\.shift; unexpected keys: third\.scale/);
  const result = m.loadStateDict(dict, { strict: false });
  assert.deepEqual(result, { missingKeys: ["second.shift"], unexpectedKeys: ["third.scale"] });

  const wrong = new Pair().stateDict();
  wrong.set("first.scale", tensor([1, 2, 3]));
  wrong.set("first.shift", tensor([1, 2], { dtype: "int32" }));
  const before = Array.from(m.first.shift.dataSync());
  assert.throws(
    () => m.loadStateDict(wrong, { strict: false }),
    /first\.scale: the dict has shape \[3\], the model \[2\]; first\.shift: the dict has dtype int32, the model float32/,
  );
  // Nothing was loaded: the check comes before any change.
  assert.deepEqual(Array.from(m.first.shift.dataSync()), before);
});

test("gradients reach every parameter; zeroGrad clears .grad", () => {
  const m = new Pair();
  const loss = m.forward(tensor([1, -1])).sum();
  const grads = gradients(loss, m.parameters());
  // y = (x·a + b)·c + d → dy/da = x·c, dy/db = c, dy/dc = x·a + b, dy/dd = 1
  assert.deepEqual(
    grads.map((g) => Array.from(g.dataSync())),
    [
      [3, -4],
      [3, 4],
      [1, -2],
      [1, 1],
    ],
  );
  m.forward(tensor([1, 1]))
    .sum()
    .backward();
  assert.ok(m.parameters().every((p) => p.grad !== undefined));
  m.zeroGrad();
  assert.ok(m.parameters().every((p) => p.grad === undefined));
});

test("summary lists every module with its type, shapes and counts, and the total", () => {
  const text = new Pair().summary();
  const lines = text.split("\n");
  assert.match(lines[0]!, /^Layer\s+Type\s+Parameter shapes\s+Params$/);
  assert.match(text, /\(model\)\s+Pair\s+8\n/);
  assert.match(text, / {2}first\s+Affine\s+scale \[2\], shift \[2\]\s+4\n/);
  assert.match(text, / {2}second\s+Affine\s+scale \[2\], shift \[2\]\s+4\n/);
  assert.match(lines.at(-1)!, /^Total parameters: 8 \(32 B as float32\)$/);
});

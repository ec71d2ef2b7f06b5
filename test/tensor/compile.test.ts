import assert from "node:assert/strict";
import { test } from "node:test";
import { compileCount } from "../../src/compiler/compile.js";
import { compile, setCompileEnabled } from "../../src/tensor/compile.js";
import { randn, tensor } from "../../src/tensor/creation.js";
import type { Tensor } from "../../src/tensor/tensor.js";

const same = (a: Tensor, b: Tensor) => assert.deepEqual([...a.dataSync()], [...b.dataSync()]);

function eagerly<T>(fn: () => T): T {
  setCompileEnabled(false);
  try {
    return fn();
  } finally {
    setCompileEnabled(true);
  }
}

test("a compiled function gives the values of the uncompiled one, bit for bit, and is traced once per signature", () => {
  const w = randn([16, 8], { seed: 1 });
  const b = randn([8], { seed: 2 });
  let traced = 0;
  const layer = compile((x: Tensor) => {
    traced++;
    return x.matmul(w).add(b).gelu().softmax(-1);
  });
  const inputs = [randn([4, 16], { seed: 3 }), randn([4, 16], { seed: 4 }), randn([2, 16], { seed: 5 })];
  for (const x of inputs)
    same(
      layer(x),
      eagerly(() => layer(x)),
    );
  // Two shapes traced; the eager calls ran the function each time.
  assert.equal(layer.stats.traces, 2);
  assert.equal(traced, 2 + inputs.length);
  const compiles = compileCount();
  for (let i = 0; i < 5; i++) layer(randn([4, 16], { seed: 10 + i }));
  assert.equal(traced, 5, "later calls do not run the function");
  assert.equal(compileCount(), compiles, "nor compile anything");
  assert.deepEqual(layer.stats, { calls: 11, traces: 2, held: 2 });
});

test("results are realised values; several results, repeated ones and arguments passed through", () => {
  const f = compile((x: Tensor, y: Tensor) => {
    const s = x.add(y);
    return [s, s, x, s.mul(2)];
  });
  const x = tensor([1, 2, 3]);
  const y = tensor([10, 20, 30]);
  const [s, again, same_, doubled] = f(x, y);
  assert.deepEqual([...s!.dataSync()], [11, 22, 33]);
  assert.deepEqual([...again!.dataSync()], [11, 22, 33]);
  assert.deepEqual([...same_!.dataSync()], [1, 2, 3]);
  assert.deepEqual([...doubled!.dataSync()], [22, 44, 66]);
  assert.ok(s!.node.buffer !== undefined, "computed by the call, not pending");
});

test("plain arguments select a variant: each value is traced once", () => {
  const scale = compile((x: Tensor, factor: number, negate: boolean) => {
    const y = x.mul(factor);
    return negate ? y.neg() : y;
  });
  const x = tensor([1, 2]);
  assert.deepEqual([...scale(x, 3, false).dataSync()], [3, 6]);
  assert.deepEqual([...scale(x, 3, true).dataSync()], [-3, -6]);
  assert.deepEqual([...scale(x, 4, false).dataSync()], [4, 8]);
  assert.deepEqual([...scale(x, 3, false).dataSync()], [3, 6]);
  assert.equal(scale.stats.traces, 3);
});

test("arrays and plain objects of tensors are arguments: one trace serves every layer of a stack", () => {
  const layers = [1, 2, 3].map((seed) => ({
    weight: randn([8, 8], { seed }),
    bias: randn([8], { seed: seed + 10 }),
    activation: "gelu",
  }));
  let traced = 0;
  const apply = compile((layer: (typeof layers)[number], x: Tensor) => {
    traced++;
    const y = x.matmul(layer.weight).add(layer.bias);
    return layer.activation === "gelu" ? y.gelu() : y.relu();
  });
  let x = randn([2, 8], { seed: 7 });
  let expected = x;
  for (const layer of layers) {
    x = apply(layer, x);
    expected = expected.matmul(layer.weight).add(layer.bias).gelu();
  }
  same(x, expected);
  assert.equal(traced, 1);
  apply({ ...layers[0]!, activation: "relu" }, x);
  apply({ weight: layers[0]!.weight, bias: layers[0]!.bias } as never, x);
  assert.equal(traced, 3, "a different plain value or structure traces again");
  assert.throws(
    () => apply({ ...layers[0]!, weight: new Map() } as never, x),
    /argument 1 holds a Map; a compiled function takes tensors/,
  );
});

test("tensors read from outside are read again at every call: a parameter assigned new values is seen", () => {
  const w = tensor([
    [1, 0],
    [0, 1],
  ]);
  const f = compile((x: Tensor) => x.matmul(w));
  const x = tensor([[1, 2]]);
  assert.deepEqual([...f(x).dataSync()], [1, 2]);
  w.assign(
    tensor([
      [0, 1],
      [1, 0],
    ]),
  );
  assert.deepEqual([...f(x).dataSync()], [2, 1]);
  w.dispose();
  assert.throws(() => f(x), /disposed/);
});

test("values computed from parameters alone (a weight's transpose) are computed once, and again after an assign", () => {
  // A parameter holds its value (a pending tensor read by the function is a constant).
  const w = randn([6, 4], { seed: 1 }).detach();
  const f = compile((x: Tensor) => x.matmul(w.transpose()));
  const x = randn([1, 4], { seed: 2 });
  same(
    f(x),
    eagerly(() => f(x)),
  );
  assert.doesNotMatch(f.explain(x).toString(), /copy/, "a call copies no transposed weight");
  const compiles = compileCount();
  w.assign(randn([6, 4], { seed: 3 }));
  same(
    f(x),
    eagerly(() => f(x)),
  );
  assert.equal(compileCount(), compiles, "computing them again compiles nothing");
  w.dispose();
  assert.throws(() => f(x), /disposed/);
});

test("constants the function reads are computed once, at the trace", () => {
  const base = tensor([1, 2, 3]);
  const table = base.mul(10); // pending: computed when first needed
  const f = compile((x: Tensor) => x.add(table));
  f(tensor([0, 0, 0]));
  const compiles = compileCount();
  assert.ok(table.node.buffer !== undefined, "the pending constant was computed at the trace");
  assert.deepEqual([...f(tensor([1, 1, 1])).dataSync()], [11, 21, 31]);
  assert.equal(compileCount(), compiles);
});

test("reading a value inside the function, or returning something else, fails clearly", () => {
  const x = tensor([1, 2]);
  assert.throws(
    () => compile((a: Tensor) => tensor([a.sum().item()]), { name: "reader" })(x),
    /while tracing a compiled function: it depends on argument 1 of reader/,
  );
  const p = tensor([1, 2]);
  assert.throws(
    () =>
      compile((a: Tensor) => {
        p.assign(a.mul(2));
        return p;
      })(x),
    /while tracing a compiled function/,
  );
  assert.throws(() => compile(() => 3 as unknown as Tensor, { name: "f" })(), /f must return a tensor/);
  assert.throws(
    () => compile((a: Tensor) => a, { name: "g" })((() => 1) as unknown as Tensor),
    /g: argument 1 holds a function/,
  );
  assert.throws(() => compile((a: Tensor) => a, { maxTraces: 0 }), /maxTraces must be a positive integer/);
});

test("a compiled function called while another is traced becomes part of that trace", () => {
  const inner = compile((x: Tensor) => x.exp());
  const outer = compile((x: Tensor) => inner(x).add(1));
  const x = tensor([0, 1]);
  same(outer(x), tensor([0, 1]).exp().add(1));
  assert.equal(inner.stats.traces, 0);
});

test("a signature traced again after it was dropped warns once", async () => {
  const warnings: string[] = [];
  const listen = (w: Error) => warnings.push(w.message);
  process.on("warning", listen);
  try {
    const f = compile((x: Tensor) => x.add(1), { name: "churn", maxTraces: 2 });
    for (const n of [1, 2, 3, 1, 2, 3]) f(tensor(new Float32Array(n)));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(f.stats.traces, 6);
    assert.equal(warnings.filter((m) => m.includes("churn was traced again")).length, 1);
  } finally {
    process.off("warning", listen);
  }
});

test("explain shows the kernels of the traced program", () => {
  const f = compile((x: Tensor) => x.mul(2).add(1).sum());
  const e = f.explain(tensor([1, 2, 3]));
  assert.ok(e.profile.kernels.length >= 1);
  assert.match(e.toString(), /kernels/);
});

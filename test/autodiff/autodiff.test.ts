import assert from "node:assert/strict";
import { test } from "node:test";
import {
  call,
  crossEntropy,
  defineInstruction,
  grad,
  gradients,
  isa,
  noGrad,
  randn,
  rmsNorm,
  Tensor,
  tensor,
  valueAndGrad,
} from "../../src/index.js";
import { topoSort } from "../../src/ir/graph.js";
import { assertClose as close } from "../helpers/assert-close.js";

test("backward fills .grad on leaves and accumulates across calls", () => {
  const w = tensor([1, 2, 3], { requiresGrad: true });
  const x = tensor([4, 5, 6]);
  w.mul(x).sum().backward();
  close(w.grad!.dataSync(), [4, 5, 6]);
  assert.equal(x.grad, undefined);
  w.mul(x).sum().backward();
  close(w.grad!.dataSync(), [8, 10, 12]);
  w.grad = undefined;
  w.mul(w).sum().backward();
  close(w.grad!.dataSync(), [2, 4, 6]);
});

test("backward through broadcasting, reductions and matmul", () => {
  const a = tensor(
    [
      [1, 2],
      [3, 4],
    ],
    { requiresGrad: true },
  );
  const b = tensor([1, -1], { requiresGrad: true });
  // L = Σ (a @ b)² ; a@b = [−1, −1]; dL/d(a@b) = [−2, −2]
  a.matmul(b).square().sum().backward();
  close(a.grad!.dataSync(), [-2, 2, -2, 2]);
  close(b.grad!.dataSync(), [-8, -12]);
});

test("grad of a cross-entropy matches softmax minus one-hot", () => {
  const logits = tensor([[1, 2, 3]]);
  const targets = tensor([0], { dtype: "int32" });
  const g = grad((l) => crossEntropy(l, targets))(logits).dataSync();
  const e = [1, 2, 3].map(Math.exp);
  const z = e[0]! + e[1]! + e[2]!;
  close(g, [e[0]! / z - 1, e[1]! / z, e[2]! / z]);
});

test("higher-order gradients: d²/dx² x³ = 6x, and d³ = 6", () => {
  const cube = (x: Tensor) => x.mul(x).mul(x).sum();
  const d1 = (x: Tensor) => grad(cube)(x).sum();
  const d2 = (x: Tensor) => grad(d1)(x).sum();
  close(grad(d1)(tensor([1, 2, -3])).dataSync(), [6, 12, -18]);
  close(grad(d2)(tensor([1, 2])).dataSync(), [6, 6]);
  // through transcendental rules too: d²/dx² sin x = −sin x
  const d2sin = grad((x: Tensor) => grad((y: Tensor) => y.sin().sum())(x).sum());
  close(d2sin(tensor([0.5, 1])).dataSync(), [-Math.sin(0.5), -Math.sin(1)]);
});

test("valueAndGrad returns the value and one gradient per argument", () => {
  const [value, [ga, gb]] = valueAndGrad((a, b) => a.mul(b).sum())(tensor([1, 2]), tensor([3, 4]));
  assert.equal(value.item(), 11);
  close(ga!.dataSync(), [3, 4]);
  close(gb!.dataSync(), [1, 2]);
  assert.throws(() => grad((a) => a.mul(2))(tensor([1, 2])), /must return a one-element tensor/);
});

test("noGrad records nothing for autograd", () => {
  const w = tensor([1, 2], { requiresGrad: true });
  const y = noGrad(() => w.mul(2));
  assert.equal(y.requiresGrad, false);
  assert.equal(w.mul(2).requiresGrad, true);
  assert.throws(() => y.sum().backward(), /does not depend on any tensor that requires grad/);
});

test("integer and comparison results cut the gradient path", () => {
  const w = tensor([1, 2], { requiresGrad: true });
  assert.equal(w.argmax().requiresGrad, false);
  assert.equal(w.lt(1).requiresGrad, false);
  assert.equal(w.cast("int32").requiresGrad, false);
});

test("a user composite without a vjp is differentiated through its decomposition", () => {
  const square = defineInstruction({
    name: "test.squarePlusOne",
    operands: 1,
    decompose: ([x]) => isa.add(isa.mul(x!, x!), 1),
  });
  close(grad((x) => call(square, x).sum())(tensor([3, -1])).dataSync(), [6, -2]);
});

test("gradients() stays lazy; Tensor.realize and assign make one update step", () => {
  const w = tensor([1, 2], { requiresGrad: true });
  const loss = w.mul(w).sum();
  const [g] = gradients(loss, [w]);
  assert.equal(g!.node.buffer, undefined, "nothing computed yet");
  const updated = w.sub(g!.mul(0.25));
  Tensor.realize(loss, updated);
  w.assign(updated);
  close(w.dataSync(), [0.5, 1]);
  assert.equal(w.requiresGrad, true);
  assert.equal(w.node.isLeaf, true);
  assert.throws(
    () => w.assign(tensor([1, 2, 3])),
    /assign: value is float32 \[3\], this tensor is float32 \[2\]/,
  );
});

test("a tensor passed twice to a composite gets one gradient for both uses", () => {
  // rmsNorm(x, x) = x²/rms(x): compare with the same function written in primitives.
  const direct = grad((x) => rmsNorm(x, x).sum())(tensor([1, 2, 3])).dataSync();
  const spelled = grad((x) => x.mul(x).div(x.mul(x).mean().add(1e-6).sqrt()).sum())(
    tensor([1, 2, 3]),
  ).dataSync();
  close(direct, Array.from(spelled));
});

test("a weight used at every step gets its gradient from one product over the joined steps", () => {
  // h_{t+1} = tanh(h_t·W + x_t): W's gradient is Σ_t h_tᵀ·g_t, built as [h_0 … h_T]ᵀ·[g_0; …; g_T].
  const steps = 5;
  const w = randn([4, 4], { seed: 1 }).mul(0.5);
  w.requiresGrad = true;
  const xs = Array.from({ length: steps }, (_, t) => randn([3, 4], { seed: 10 + t }));
  let h = randn([3, 4], { seed: 2 });
  for (const x of xs) h = h.matmul(w).add(x).tanh();
  const [g] = gradients(h.square().sum(), [w]);
  const products = topoSort([g!.node]).filter((n) => n.op?.name === "matmul");
  const joined = products.filter((n) => n.inputs[0]!.shape[1] === steps * 3);
  assert.equal(joined.length, 1, "one product with the steps joined on its inner axis");
  // The same gradient as step-by-step products, by finite differences of the loss.
  const loss = (wData: Float32Array) =>
    noGrad(() => {
      let state = randn([3, 4], { seed: 2 });
      const weight = tensor(wData, [4, 4]);
      for (const x of xs) state = state.matmul(weight).add(x).tanh();
      return state.square().sum().item();
    });
  const base = Float32Array.from(w.dataSync() as Float32Array);
  const analytic = g!.dataSync();
  for (const i of [0, 5, 10, 15]) {
    const up = Float32Array.from(base);
    const down = Float32Array.from(base);
    up[i]! += 1e-2;
    down[i]! -= 1e-2;
    const numeric = (loss(up) - loss(down)) / 2e-2;
    assert.ok(
      Math.abs(numeric - analytic[i]!) < 2e-2 * Math.max(1, Math.abs(numeric)),
      `${numeric} vs ${analytic[i]}`,
    );
  }
});

test("the gradients of the parts a tensor was sliced into are joined into one concatenation", () => {
  const x = randn([2, 9], { seed: 3 });
  x.requiresGrad = true;
  // Columns 0–2, 3–5 and 7–8; column 6 is not used (its gradient is 0).
  const [a, b, c] = [x.slice([0, 0], [2, 3]), x.slice([0, 3], [2, 6]), x.slice([0, 7], [2, 9])];
  const loss = a.mul(2).sum().add(b.square().sum()).add(c.exp().sum());
  const [g] = gradients(loss, [x]);
  const names = topoSort([g!.node]).map((n) => n.op?.name);
  assert.ok(names.includes("concat") && !names.includes("pad"), names.join(" "));
  const v = x.dataSync();
  const expected = Array.from(v, (value, i) => {
    const column = i % 9;
    return column < 3 ? 2 : column < 6 ? 2 * value : column === 6 ? 0 : Math.exp(value);
  });
  close(g!.dataSync(), expected, 1e-5);
});

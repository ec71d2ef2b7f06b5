import assert from "node:assert/strict";
import { test } from "node:test";
import { tensor } from "../../src/index.js";
import { clipByGlobalNorm, clipGradNorm, globalNorm, SGD } from "../../src/optim/index.js";
import {
  assertClose,
  clipped,
  freshParams,
  gradient,
  loss,
  normOf,
  U0,
  valuesOf,
  W0,
} from "./reference-problem.js";
import { sgdStep } from "./reference-updates.js";

test("globalNorm is the 2-norm of all elements together", () => {
  assert.ok(Math.abs(globalNorm([tensor([3, 4]), tensor([[12]])]).item() - 13) < 1e-5);
});

test("clipByGlobalNorm scales above the limit and returns the norm before clipping", () => {
  const { grads, norm } = clipByGlobalNorm([tensor([3, 4]), tensor([12])], 6.5);
  assert.ok(Math.abs(norm.item() - 13) < 1e-5);
  const factor = 6.5 / (13 + 1e-6);
  assertClose(
    grads.map((g) => Array.from(g.dataSync())),
    [[3 * factor, 4 * factor], [12 * factor]],
    "clipped",
  );
  assert.ok(Math.abs(globalNorm(grads).item() - 6.5) < 1e-5);
});

test("clipByGlobalNorm leaves gradients below the limit exactly as they were", () => {
  const values = [0.1, -0.2, 0.3];
  const { grads, norm } = clipByGlobalNorm([tensor(values)], 1);
  assert.deepEqual(Array.from(grads[0]!.dataSync()), Array.from(Float32Array.from(values)));
  assert.ok(Math.abs(norm.item() - Math.sqrt(0.14)) < 1e-7);
});

test("clipGradNorm clips .grad in place and returns the norm before clipping", () => {
  const [w, u] = freshParams();
  loss([w!, u!]).backward();
  const grads = gradient([W0, U0]);
  const norm = clipGradNorm([w!, u!], 0.5);
  assert.ok(Math.abs(norm - normOf(grads)) < 1e-6 * normOf(grads));
  assertClose(valuesOf([w!.grad!, u!.grad!]), clipped(grads, 0.5), "clipped .grad");
});

test("a step with clipNorm updates with the clipped gradients and reports the norm", () => {
  const params = freshParams();
  const opt = new SGD(params, { lr: 0.1, momentum: 0.9 });
  let ref = [W0, U0];
  let buffers: (number[] | undefined)[] = [undefined, undefined];
  for (let s = 0; s < 4; s++) {
    const grads = gradient(ref);
    const { gradNorm, loss: lossValue } = opt.stepOn(loss(params), { clipNorm: 1 });
    assert.ok(Math.abs(gradNorm! - normOf(grads)) < 1e-6 * normOf(grads), `norm at step ${s + 1}`);
    assert.ok(Number.isFinite(lossValue));
    const steps = ref.map((p, i) =>
      sgdStep(p, clipped(grads, 1)[i]!, buffers[i], { lr: 0.1, momentum: 0.9 }),
    );
    ref = steps.map((r) => r.p);
    buffers = steps.map((r) => r.buffer);
    assertClose(valuesOf(params), ref, `step ${s + 1}`);
  }
  assert.equal(opt.stepOn(loss(params)).gradNorm, undefined, "no norm without clipNorm");
});

test("clipping rejects a limit that is not positive", () => {
  assert.throws(() => clipByGlobalNorm([tensor([1])], 0), /maxNorm must be a finite number above 0/);
  const params = freshParams();
  assert.throws(() => new SGD(params, { lr: 1 }).stepOn(loss(params), { clipNorm: -1 }), /clipNorm/);
});

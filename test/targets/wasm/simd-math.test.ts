import assert from "node:assert/strict";
import { test } from "node:test";
import { tensor } from "../../../src/index.js";
import { erf } from "../../../src/isa/math.js";

// The wasm target's own exp/tanh/erf against Math (and the reference erf), over a wide
// range and at special values, through both the four-lane and the scalar-tail paths.
const xs = [
  ...Array.from({ length: 2001 }, (_, i) => -100 + i * 0.1),
  0,
  -0,
  1e-30,
  -1e-30,
  1e-6,
  -88,
  88,
  89,
  -90,
  // either side of the range's lower end, where lanes below it are computed on 0
  -103.97,
  -104,
  -1e30,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  Number.NaN,
];

function check(name: string, got: Float32Array, want: (x: number) => number, rtol: number, atol: number) {
  let worst = 0;
  let at = 0;
  xs.forEach((x, i) => {
    const w = Math.fround(want(Math.fround(x)));
    const g = got[i]!;
    if (Number.isNaN(w)) {
      assert.ok(Number.isNaN(g), `${name}(${x}) = ${g}, expected NaN`);
      return;
    }
    if (!Number.isFinite(w)) {
      assert.equal(g, w, `${name}(${x})`);
      return;
    }
    const err = Math.abs(g - w) / (atol + rtol * Math.abs(w));
    if (err > worst) [worst, at] = [err, x];
  });
  assert.ok(worst <= 1, `${name}: worst error ${worst.toFixed(2)}× the tolerance at x = ${at}`);
}

test("exp: within 3e-7 relative (2.5 ulp) over [−100, 100]; 0 below the range, ∞ above, NaN kept", () => {
  check("exp", tensor(xs).exp().dataSync() as Float32Array, Math.exp, 3e-7, 1e-44);
});

test("tanh: within 2e-7 absolute", () => {
  check("tanh", tensor(xs).tanh().dataSync() as Float32Array, Math.tanh, 0, 2e-7);
});

test("erf: within 3e-7 absolute", () => {
  check("erf", tensor(xs).erf().dataSync() as Float32Array, erf, 0, 3e-7);
});

test("an element gets the same value in a vector lane and in the scalar tail", () => {
  // 5 elements: four lanes and a one-element tail, all the same input.
  const out = tensor([0.3, 0.3, 0.3, 0.3, 0.3]).exp().tanh().erf().dataSync();
  assert.ok(out.every((v) => v === out[0]));
});

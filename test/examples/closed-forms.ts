import assert from "node:assert/strict";
import type { SwigluResult } from "../../examples/custom-instruction-with-vjp.js";
import type { SoftplusResult } from "../../examples/softplus-by-decomposition.js";

/**
 * The examples' results against closed forms computed here in float64, independently of
 * the engine. Shared by the per-example tests and the every-target test.
 */

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

function assertClose(actual: number, expected: number, tolerance: number, what: string) {
  const error = Math.abs(actual - expected);
  assert.ok(
    error <= tolerance * Math.max(1, Math.abs(expected)),
    `${what}: got ${actual}, expected ${expected} (error ${error})`,
  );
}

export function checkSoftplus(result: SoftplusResult): void {
  result.x.forEach((x, i) => {
    const softplus = Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    assertClose(result.values[i]!, softplus, 1e-6, `softplus(${x})`);
    assertClose(result.applied[i]!, softplus, 1e-6, `x.apply(softplus) at ${x}`);
    assertClose(result.derivative[i]!, sigmoid(x), 1e-6, `d softplus/dx at ${x}`);
  });
  assert.ok(result.maxDerivativeError < 1e-6, `max error ${result.maxDerivativeError}`);
  // The stable form is what makes ±100 finite: a literal log(1 + exp(100)) overflows float32.
  assert.ok(result.values.every(Number.isFinite));
}

export function checkSwiglu(result: SwigluResult): void {
  let loss = 0;
  result.x.forEach((row, r) => {
    const half = row.length / 2;
    for (let i = 0; i < half; i++) {
      const [a, b, w] = [row[i]!, row[half + i]!, result.weights[r]![i]!];
      const s = sigmoid(a);
      const silu = a * s;
      assertClose(result.gated[r]![i]!, silu * b, 1e-6, `swiglu at [${r},${i}]`);
      loss += w * silu * b;
      // ∂/∂a = w · b · silu′(a) with silu′(a) = σ(a)(1 + a(1 − σ(a))); ∂/∂b = w · silu(a).
      assertClose(result.gradient[r]![i]!, w * b * s * (1 + a * (1 - s)), 1e-5, `∂loss/∂a at [${r},${i}]`);
      assertClose(result.gradient[r]![half + i]!, w * silu, 1e-5, `∂loss/∂b at [${r},${i}]`);
    }
  });
  assertClose(result.loss, loss, 1e-5, "loss");
}

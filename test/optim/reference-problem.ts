import assert from "node:assert/strict";
import { type Tensor, tensor } from "../../src/index.js";

/**
 * A few-element problem whose gradient is easy to write by hand, so each optimizer can be
 * checked against its update formulas run in plain float64 JS:
 *
 *     L(w, u) = ½ Σ aᵢ (wᵢ − tᵢ)² + ¼ Σ uⱼ⁴
 *     ∂L/∂wᵢ = aᵢ (wᵢ − tᵢ),   ∂L/∂uⱼ = uⱼ³
 */
export const A = [1, 2, 0.5, 3];
export const T = [0.5, -1, 2, 0.25];
export const W0 = [1, 1, -1, 0.75];
export const U0 = [0.8, -0.6, 1.2];

/** Fresh parameters [w, u] at the starting point. */
export function freshParams(): Tensor[] {
  return [tensor(W0, { requiresGrad: true }), tensor(U0, { requiresGrad: true })];
}

/** The loss, as tensor ops on [w, u]. */
export function loss([w, u]: readonly Tensor[]): Tensor {
  const quadratic = w!.sub(tensor(T)).square().mul(tensor(A)).sum().mul(0.5);
  const quartic = u!.square().square().sum().mul(0.25);
  return quadratic.add(quartic);
}

/** The gradient, by hand, in float64. */
export function gradient([w, u]: readonly number[][]): number[][] {
  return [w!.map((wi, i) => A[i]! * (wi - T[i]!)), u!.map((uj) => uj ** 3)];
}

/** Values of the parameters as plain arrays. */
export function valuesOf(params: readonly Tensor[]): number[][] {
  return params.map((p) => Array.from(p.dataSync()));
}

/** Elementwise closeness: |a − e| ≤ atol + rtol·|e|. */
export function assertClose(
  actual: number[][],
  expected: number[][],
  what: string,
  rtol = 1e-6,
  atol = 1e-7,
): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((row, r) => {
    assert.equal(row.length, expected[r]!.length, what);
    row.forEach((a, i) => {
      const e = expected[r]![i]!;
      assert.ok(
        Math.abs(a - e) <= atol + rtol * Math.abs(e),
        `${what}: param ${r}[${i}] is ${a}, expected ${e}`,
      );
    });
  });
}

/** Global 2-norm of several gradient arrays. */
export function normOf(grads: readonly number[][]): number {
  return Math.sqrt(grads.flat().reduce((s, g) => s + g * g, 0));
}

/** PyTorch's clip factor: min(1, maxNorm / (norm + 1e-6)). */
export function clipped(grads: number[][], maxNorm: number): number[][] {
  const factor = Math.min(1, maxNorm / (normOf(grads) + 1e-6));
  return grads.map((g) => g.map((x) => x * factor));
}

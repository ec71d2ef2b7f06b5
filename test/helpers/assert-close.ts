import assert from "node:assert/strict";

/** Every element of `actual` within `tol` of `expected`, relative where |expected| > 1. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  assert.ok(
    actual.length === expected.length &&
      Array.from(expected).every((v, i) => Math.abs(actual[i]! - v) <= tol * Math.max(1, Math.abs(v))),
    `${Array.from(actual)} vs ${Array.from(expected)}`,
  );
}

/** One number within an absolute `tolerance` of another. */
export function assertNear(actual: number, expected: number, tolerance = 1e-12): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} ≠ ${expected}`);
}

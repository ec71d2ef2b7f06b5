import type { CommonOptions } from "./param-groups.js";

export interface AdamOptions extends CommonOptions {
  /** Decay rates (β₁, β₂) of the first and second moment estimates. Default (0.9, 0.999). */
  betas: readonly [number, number];
  /** Added to the denominator for stability. Default 1e-8. */
  eps: number;
}

export function checkAdamOptions(who: string, o: AdamOptions): void {
  const [b1, b2] = o.betas ?? [];
  for (const [name, b] of [
    ["β₁", b1],
    ["β₂", b2],
  ] as const) {
    if (typeof b !== "number" || !(b >= 0 && b < 1))
      throw new Error(`${who}: ${name} must be in [0, 1), got ${b}`);
  }
  for (const name of ["eps", "weightDecay", "l1"] as const) {
    if (!Number.isFinite(o[name]) || o[name] < 0)
      throw new Error(`${who}: ${name} must be finite and ≥ 0, got ${o[name]}`);
  }
}

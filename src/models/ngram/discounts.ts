/** The three modified Kneser-Ney discounts of one order: for counts 1, 2 and 3 or more. */
export interface Discounts {
  readonly d1: number;
  readonly d2: number;
  readonly d3plus: number;
  /** True when the counts-of-counts were degenerate and the fallback discounts were used. */
  readonly fallback: boolean;
}

/**
 * KenLM's `--discount_fallback` defaults, used for an order whose counts-of-counts cannot
 * give valid discounts (typically a small corpus with no n-gram seen exactly 3 or 4
 * times, where the estimates divide by zero or come out outside [0, count]).
 */
export const FALLBACK_DISCOUNTS: readonly [number, number, number] = [0.5, 1, 1.5];

/**
 * Chen & Goodman's estimates from n1..n4, the number of n-grams of the order with
 * (adjusted) count exactly 1, 2, 3 and 4:
 *   Y = n1 / (n1 + 2 n2), D1 = 1 − 2Y n2/n1, D2 = 2 − 3Y n3/n2, D3+ = 3 − 4Y n4/n3.
 * Each discount must be finite and lie in [0, i] for count bucket i, otherwise an n-gram
 * could get a negative probability; if any one does not, the whole order falls back to
 * `fallback` (as KenLM does), because the three estimates are only meaningful together.
 */
export function modifiedKneserNeyDiscounts(
  n1: number,
  n2: number,
  n3: number,
  n4: number,
  fallback: readonly [number, number, number] = FALLBACK_DISCOUNTS,
): Discounts {
  const y = n1 / (n1 + 2 * n2);
  const estimates = [1 - (2 * y * n2) / n1, 2 - (3 * y * n3) / n2, 3 - (4 * y * n4) / n3];
  const valid = estimates.every((d, i) => Number.isFinite(d) && d >= 0 && d <= i + 1);
  const [d1, d2, d3plus] = valid ? estimates : fallback;
  return { d1: d1!, d2: d2!, d3plus: d3plus!, fallback: !valid };
}

/** Throws unless each fallback discount D_i lies in [0, i], so no probability goes negative. */
export function checkFallbackDiscounts(fallback: readonly number[]): void {
  if (fallback.length !== 3) throw new RangeError("fallbackDiscounts must hold three discounts: D1, D2, D3+");
  fallback.forEach((d, i) => {
    if (!(d >= 0 && d <= i + 1))
      throw new RangeError(`fallback discount D${i + 1} must lie in [0, ${i + 1}], got ${d}`);
  });
}

/** The discount for an n-gram with (adjusted) count `count`: 0 for an unseen one. */
export function discountFor(discounts: Discounts, count: number): number {
  if (count <= 0) return 0;
  if (count === 1) return discounts.d1;
  if (count === 2) return discounts.d2;
  return discounts.d3plus;
}

/** n1..n4 of `counts[0 .. size)`, the counts-of-counts the discounts are estimated from. */
export function countsOfCounts(counts: Float64Array, size: number): [number, number, number, number] {
  const n = [0, 0, 0, 0, 0];
  for (let e = 0; e < size; e++) {
    const c = counts[e]!;
    if (c >= 1 && c <= 4) n[c]!++;
  }
  return [n[1]!, n[2]!, n[3]!, n[4]!];
}

/** Scalar functions JavaScript lacks, used by reference semantics. */

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * The error function to float64 accuracy near 0 (Maclaurin series, where a complement-based
 * formula would lose relative precision) and ~1e-7 relative elsewhere (the Chebyshev fit of
 * erfc from Numerical Recipes, §6.2), which is beyond float32 resolution.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const z = Math.abs(x);
  if (z < 0.5) {
    let term = x;
    let total = x;
    const x2 = x * x;
    for (let n = 1; n < 20; n++) {
      term *= -x2 / n;
      total += term / (2 * n + 1);
    }
    return TWO_OVER_SQRT_PI * total;
  }
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfc = t * Math.exp(-z * z + poly);
  return x >= 0 ? 1 - erfc : erfc - 1;
}

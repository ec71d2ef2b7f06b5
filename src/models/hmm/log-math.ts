/**
 * log(Σ exp(values[start .. start+length))) without overflow or underflow: the
 * largest term is factored out. An all -Infinity input (every path impossible)
 * gives -Infinity rather than NaN.
 */
export function logSumExp(values: Float64Array, start = 0, length = values.length - start): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < length; k++) max = Math.max(max, values[start + k]!);
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = 0;
  for (let k = 0; k < length; k++) sum += Math.exp(values[start + k]! - max);
  return max + Math.log(sum);
}

/** Elementwise natural log; zero probabilities become -Infinity, which the log-space code relies on. */
export function logOf(values: Float64Array): Float64Array {
  return values.map(Math.log);
}

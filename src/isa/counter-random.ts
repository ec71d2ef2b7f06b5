/**
 * Counter-based random bits: element i of a random tensor is a pure function of
 * (seed, i), so the values do not depend on the target, the thread count or the order
 * in which tiles run. The mixing function is Chris Wellons' "lowbias32" integer hash,
 * applied twice with two seed-derived keys so that different seeds do not give shifted
 * copies of one stream. Every target implements these few integer operations.
 */
export function hash32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

export function randomBits(seed: number, counter: number): number {
  const k1 = hash32(seed);
  const k2 = hash32(seed ^ 0x9e3779b9);
  return hash32(hash32(counter ^ k1) ^ k2);
}

/** Uniform in [0, 1) with 24 random bits, exactly representable in float32. */
export function uniformAt(seed: number, counter: number): number {
  return (randomBits(seed, counter) >>> 8) / 16777216;
}

/** Standard normal by Box–Muller from counters 2i and 2i+1 (u1 in (0, 1] keeps the log finite). */
export function normalAt(seed: number, i: number): number {
  const u1 = ((randomBits(seed, 2 * i) >>> 8) + 1) / 16777216;
  const u2 = (randomBits(seed, 2 * i + 1) >>> 8) / 16777216;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

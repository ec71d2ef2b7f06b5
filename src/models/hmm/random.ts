/** A seeded source of uniform numbers in [0, 1), so random restarts are reproducible. */
export interface Random {
  next(): number;
}

/**
 * A Weyl sequence (add the golden-ratio constant each call) passed through a 32-bit
 * avalanche mix: every seed gives a full-period stream, and nearby seeds give
 * unrelated streams. Plenty for initialising models; not for cryptography.
 */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return {
    next() {
      state = (state + 0x9e3779b9) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      z ^= z >>> 16;
      return (z >>> 0) / 4294967296;
    },
  };
}

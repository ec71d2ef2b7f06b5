/**
 * A tiny seedable stream of uniform numbers in [0, 1): a Weyl sequence (add the
 * golden-ratio constant each call) through a 32-bit avalanche mix (murmur3's finalizer),
 * so every seed gives a full-period stream and nearby seeds unrelated ones, the same on
 * every platform (Math.random cannot be seeded). Plenty for sampling and initialising
 * small models; not for cryptography.
 */
export function weylStream(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    return (z >>> 0) / 4294967296;
  };
}

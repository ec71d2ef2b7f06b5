/**
 * mulberry32: a tiny 32-bit generator (floats in [0, 1)), the one shared/data-splits.md
 * names for the standard MNIST split, so that anyone can reproduce that split in a few lines.
 * SeededRng is the generator for everything else (its state can be checkpointed).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

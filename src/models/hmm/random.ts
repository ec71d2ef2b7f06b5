import { weylStream } from "../../random/weyl-stream.js";

/** A seeded source of uniform numbers in [0, 1), so random restarts are reproducible. */
export interface Random {
  next(): number;
}

export function createRandom(seed: number): Random {
  return { next: weylStream(seed) };
}

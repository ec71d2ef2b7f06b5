import { SeededRng, type SeededRngState } from "../random/seeded-rng.js";

/**
 * Where dropout layers get their per-call mask seeds: a host-side generator whose state can
 * be saved in a checkpoint and restored, so a resumed run draws the same masks. Layers share
 * one stream by holding the same object; `setState` rewinds it for all of them at once.
 *
 * Each seed reaches the graph as an int32 tensor operand, not an attribute, so a fresh seed
 * every step keeps the graph's structure (and its compiled program) the same.
 */
export class SeedStream {
  #rng: SeededRng;

  constructor(seed: number) {
    this.#rng = new SeededRng(seed);
  }

  /** The next seed, an integer in [0, 2³²). */
  next(): number {
    return this.#rng.nextUint32();
  }

  /** JSON-safe state for a checkpoint. */
  state(): SeededRngState {
    return this.#rng.state();
  }

  /** Continues from a state that `state()` returned. */
  setState(state: SeededRngState): void {
    this.#rng = SeededRng.fromState(state);
  }
}

import { tensor } from "../tensor/creation.js";
import type { Tensor } from "../tensor/tensor.js";

/**
 * A float32 scalar that enters the compiled step as an input, not as a constant. Programs
 * are cached by graph structure and a JS number in an op is a constant of that structure,
 * so anything that changes between steps (the learning rate, bias corrections) must come
 * in this way or every step would compile a new program.
 */
export function scalarLeaf(value: number): Tensor {
  return tensor(Float32Array.of(value), []);
}

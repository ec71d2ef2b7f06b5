import { tensor } from "../tensor/creation.js";
import type { Tensor } from "../tensor/tensor.js";

/**
 * The positions start, start+1, … as an int32 tensor holding data. Data, not an `arange`
 * constant: where the start changes from call to call (decoding with a cache), the graph
 * keeps one structure and so one compiled program.
 */
export function positionIds(start: number, count: number): Tensor {
  return tensor(
    Int32Array.from({ length: count }, (_, i) => start + i),
    [count],
  );
}

import type { Node } from "../ir/node.js";
import { type Shape, sameShape } from "../ir/shape.js";
import { expand, reshape } from "./movement.js";
import { sum } from "./reduce.js";

/**
 * The adjoint of broadcasting: sums `g` over the axes along which an operand of `shape`
 * was broadcast, so every elementwise VJP can hand back a gradient of its operand's shape.
 */
export function unbroadcast(g: Node, shape: Shape): Node {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.shape.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.shape.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const summed = axes.length ? sum(g, { axes, keepdims: true }) : g;
  return reshape(summed, { shape });
}

/** Broadcasts `x` to `shape` (NumPy rules) as a view. */
export function broadcastTo(x: Node, shape: Shape): Node {
  return sameShape(x.shape, shape) ? x : expand(x, { shape });
}

import type { DType } from "../ir/dtype.js";
import { Node } from "../ir/node.js";
import type { Shape } from "../ir/shape.js";

/**
 * Placeholders: leaves without a value that stand for the arguments of a traced function
 * (`compile`). The graph built over them is compiled once and run on each call's values;
 * while tracing, nothing that depends on them can be computed.
 */
const names = new WeakMap<Node, string>();

/** A leaf standing for a value that is supplied when the traced program runs. */
export function placeholder(shape: Shape, dtype: DType, name: string): Node {
  const node = Node.leaf(shape, dtype);
  names.set(node, name);
  return node;
}

/** What a placeholder stands for ("argument 2 of decodeStep"), or undefined for other nodes. */
export function placeholderName(node: Node): string | undefined {
  return names.get(node);
}

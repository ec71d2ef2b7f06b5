import type { Node } from "./node.js";

/**
 * Marks for graph walks: each walk takes fresh numbers above every earlier walk's, so a
 * node's `mark` from an earlier walk reads as "not visited" without clearing anything
 * (a training step walks a few thousand nodes several times; a Map per walk cost more).
 */
let lastMark = 0;

/** `count` fresh marks; the first is returned. Walks must not nest. */
export function reserveMarks(count: number): number {
  const first = lastMark + 1;
  lastMark += count;
  return first;
}

/**
 * Nodes reachable from `roots` in topological order (inputs before users).
 * `isBoundary(n)` stops the walk at a node: it is listed but its inputs are not visited.
 * Iterative, because graphs of training steps are deep enough to overflow the JS stack.
 */
export function topoSort(roots: readonly Node[], isBoundary: (n: Node) => boolean = () => false): Node[] {
  const order: Node[] = [];
  const onStack = reserveMarks(2);
  const done = onStack + 1;
  for (const root of roots) {
    if (root.mark >= onStack) continue;
    const stack: [Node, number][] = [[root, 0]];
    root.mark = onStack;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [node, next] = top;
      const inputs = isBoundary(node) ? [] : node.inputs;
      if (next < inputs.length) {
        top[1]++;
        const child = inputs[next]!;
        if (child.mark < onStack) {
          child.mark = onStack;
          stack.push([child, 0]);
        }
      } else {
        stack.pop();
        node.mark = done;
        order.push(node);
      }
    }
  }
  return order;
}

import type { Node } from "./node.js";

/**
 * Nodes reachable from `roots` in topological order (inputs before users).
 * `isBoundary(n)` stops the walk at a node: it is listed but its inputs are not visited.
 * Iterative, because graphs of training steps are deep enough to overflow the JS stack.
 */
export function topoSort(roots: readonly Node[], isBoundary: (n: Node) => boolean = () => false): Node[] {
  const order: Node[] = [];
  const state = new Map<Node, 1 | 2>(); // 1 = on the stack, 2 = done
  for (const root of roots) {
    if (state.has(root)) continue;
    const stack: [Node, number][] = [[root, 0]];
    state.set(root, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [node, next] = top;
      const inputs = isBoundary(node) ? [] : node.inputs;
      if (next < inputs.length) {
        top[1]++;
        const child = inputs[next]!;
        if (!state.has(child)) {
          state.set(child, 1);
          stack.push([child, 0]);
        }
      } else {
        stack.pop();
        state.set(node, 2);
        order.push(node);
      }
    }
  }
  return order;
}

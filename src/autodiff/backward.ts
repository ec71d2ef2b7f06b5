import { withGradMode } from "../ir/grad-mode.js";
import { topoSort } from "../ir/graph.js";
import type { Node } from "../ir/node.js";
import { sameShape } from "../ir/shape.js";
import { full } from "../isa/creation.js";
import { InstructionError } from "../isa/errors.js";
import { add } from "../isa/scalar-ops.js";

/**
 * Reverse-mode differentiation on the IR. Gradients are built as IR nodes from the VJP
 * rules, so they compile and run like any other graph; if they are built with grad mode
 * on, they are differentiable again (higher-order gradients).
 *
 * Returns the gradient of `root` (seeded with `seed`, default ones) with respect to each
 * node in `wrt`; a node that `root` does not depend on gets zeros.
 */
export function buildGradients(root: Node, wrt: readonly Node[], seed?: Node): Node[] {
  const grads = backpropagate(root, seed ?? full({ value: 1, shape: root.shape, dtype: root.dtype }));
  return wrt.map((n) => grads.get(n) ?? full({ value: 0, shape: n.shape, dtype: n.dtype }));
}

/**
 * Gradients of every node through which `root` depends on a node that requires grad.
 * The walk stops at nodes that do not require grad and at `stopAt` (used when
 * differentiating a composite's expansion: its inputs are where it ends).
 */
export function backpropagate(root: Node, seed: Node, stopAt?: ReadonlySet<Node>): Map<Node, Node> {
  const grads = new Map<Node, Node>([[root, seed]]);
  const accumulate = (n: Node, g: Node) => {
    if (!sameShape(g.shape, n.shape)) {
      throw new Error(
        `internal: gradient of shape [${g.shape}] for a value of shape [${n.shape}] (from ${n.op?.name ?? "leaf"})`,
      );
    }
    const prev = grads.get(n);
    grads.set(n, prev ? add(prev, g) : g);
  };
  // Only nodes that require grad can pass a gradient on; the walk stops at the others.
  const order = topoSort([root], (n) => !n.requiresGrad || stopAt?.has(n) === true);
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i]!;
    const g = grads.get(node);
    if (!g || node.op === null || !node.requiresGrad || stopAt?.has(node)) continue;
    for (const [input, gi] of inputGradients(node, g)) {
      if (input.requiresGrad) accumulate(input, gi);
    }
  }
  return grads;
}

/** One node's VJP: its own rule, or the gradient of its decomposition. */
function inputGradients(node: Node, g: Node): [Node, Node][] {
  const op = node.op!;
  const { vjp, decompose } = op.spec;
  if (vjp) {
    const gs = vjp(g, { inputs: node.inputs, out: node, attrs: node.attrs });
    return node.inputs.flatMap((input, i) => (gs[i] ? [[input, gs[i]!] as [Node, Node]] : []));
  }
  if (decompose) {
    // Differentiate the definition. It is rebuilt with grad mode on so that the inputs'
    // requiresGrad flags propagate through it.
    const expansion = withGradMode(true, () => decompose(node.inputs, node.attrs));
    const inner = backpropagate(expansion, g, new Set(node.inputs));
    // An operand passed twice (rmsNorm(x, x)) has one gradient that covers both uses.
    return [...new Set(node.inputs)].flatMap((input) => {
      const gi = inner.get(input);
      return gi ? [[input, gi] as [Node, Node]] : [];
    });
  }
  throw new InstructionError(op.name, "is not differentiable (it has neither a vjp nor a decomposition)");
}

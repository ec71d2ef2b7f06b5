import { withGradMode } from "../ir/grad-mode.js";
import { topoSort } from "../ir/graph.js";
import type { Node } from "../ir/node.js";
import { sameShape } from "../ir/shape.js";
import { full } from "../isa/creation.js";
import { InstructionError } from "../isa/errors.js";
import { matmul } from "../isa/matmul.js";
import { concat, permute } from "../isa/movement.js";
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
  // Each node's gradient contributions, summed when the node is reached (or at the end).
  const parts = new Map<Node, Node[]>([[root, [seed]]]);
  const accumulate = (n: Node, g: Node) => {
    if (!sameShape(g.shape, n.shape)) {
      throw new Error(
        `internal: gradient of shape [${g.shape}] for a value of shape [${n.shape}] (from ${n.op?.name ?? "leaf"})`,
      );
    }
    const list = parts.get(n);
    if (list) list.push(g);
    else parts.set(n, [g]);
  };
  const grads = new Map<Node, Node>();
  const gradientOf = (n: Node) => {
    let g = grads.get(n);
    const list = parts.get(n);
    if (!g && list) {
      g = sumGradients(list);
      grads.set(n, g);
    }
    return g;
  };
  // Only nodes that require grad can pass a gradient on; the walk stops at the others.
  const order = topoSort([root], (n) => !n.requiresGrad || stopAt?.has(n) === true);
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i]!;
    if (node.op === null || !node.requiresGrad || stopAt?.has(node)) continue;
    const g = gradientOf(node);
    if (!g) continue;
    for (const [input, gi] of inputGradients(node, g)) {
      if (input.requiresGrad) accumulate(input, gi);
    }
  }
  for (const n of parts.keys()) gradientOf(n);
  return grads;
}

/**
 * The sum of a node's gradient contributions, with two kinds joined first:
 * - matrix products of the same shape, Σ_t A_t·B_t (a weight used at every step of a
 *   recurrent network), become one product over their joined inner axis,
 *   [A_1 … A_T]·[B_1; …; B_T]: one large matmul instead of T small ones and T − 1 sums;
 * - zero-paddings of disjoint ranges of one axis (the gradients of the parts a tensor was
 *   sliced into: attention's q, k and v) become one concatenation: each part written once
 *   into its place, instead of each padded to the whole and the results added.
 */
function sumGradients(parts: readonly Node[]): Node {
  if (parts.length === 1) return parts[0]!;
  const products = parts.filter(isPlainProduct);
  const pads = parts.filter(isZeroPad);
  const joinedPads = pads.length >= 2 ? concatOfPads(pads) : undefined;
  const terms = [
    ...(products.length >= 2 ? [joinedProduct(products)] : products),
    ...(joinedPads ? [joinedPads] : pads),
    ...parts.filter((p) => !isPlainProduct(p) && !isZeroPad(p)),
  ];
  return terms.reduce((total, g) => add(total, g));
}

/** A zero padding along exactly one axis. */
function isZeroPad(n: Node): boolean {
  return n.op?.name === "pad" && n.attrs.value === 0 && paddedAxis(n) !== undefined;
}

function paddedAxis(n: Node): number | undefined {
  const before = n.attrs.before as readonly number[];
  const after = n.attrs.after as readonly number[];
  const axes = before.flatMap((b, d) => (b !== 0 || after[d] !== 0 ? [d] : []));
  return axes.length === 1 ? axes[0] : undefined;
}

/**
 * Zero paddings of one shape along one axis, as one concatenation of their inputs (zeros
 * where none covers the axis); undefined if they pad different axes or overlap.
 */
function concatOfPads(pads: readonly Node[]): Node | undefined {
  const axis = paddedAxis(pads[0]!)!;
  if (pads.some((p) => paddedAxis(p) !== axis)) return undefined;
  const start = (p: Node) => (p.attrs.before as readonly number[])[axis]!;
  const sorted = [...pads].sort((a, b) => start(a) - start(b));
  const shape = pads[0]!.shape;
  const zeros = (extent: number) =>
    full({ value: 0, shape: shape.map((d, i) => (i === axis ? extent : d)), dtype: pads[0]!.dtype });
  const pieces: Node[] = [];
  let at = 0;
  for (const p of sorted) {
    if (start(p) < at) return undefined;
    if (start(p) > at) pieces.push(zeros(start(p) - at));
    pieces.push(p.inputs[0]!);
    at = start(p) + p.inputs[0]!.shape[axis]!;
  }
  if (at < shape[axis]!) pieces.push(zeros(shape[axis]! - at));
  return concat(...pieces, { axis });
}

/**
 * Σ_t A_t·B_t as one product. When every A_t is a transposed matrix Dᵀ (a gradient's
 * product with the layer's input), [D_1ᵀ … D_Tᵀ] is [D_1; …; D_T]ᵀ: the D_t are stacked
 * by rows (written where they are computed) and the transpose stays a view.
 */
function joinedProduct(products: readonly Node[]): Node {
  const lefts = products.map((p) => p.inputs[0]!);
  const transposed = lefts.map(unTransposed);
  const left = transposed.every((d) => d !== undefined)
    ? permute(concat(...(transposed as Node[]), { axis: 0 }), { axes: [1, 0] })
    : concat(...lefts, { axis: 1 });
  return matmul(left, concat(...products.map((p) => p.inputs[1]!), { axis: 0 }));
}

/** D when n is Dᵀ (a permute of a matrix's two axes). */
function unTransposed(n: Node): Node | undefined {
  const axes = n.attrs.axes as readonly number[] | undefined;
  return n.op?.name === "permute" && axes?.[0] === 1 && axes[1] === 0 ? n.inputs[0] : undefined;
}

/** A product of two matrices (2-D operands, float32). */
function isPlainProduct(n: Node): boolean {
  return (
    n.op === matmul &&
    n.dtype === "float32" &&
    n.inputs[0]!.shape.length === 2 &&
    n.inputs[1]!.shape.length === 2
  );
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

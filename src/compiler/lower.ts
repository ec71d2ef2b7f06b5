import { withGradMode } from "../ir/grad-mode.js";
import { topoSort } from "../ir/graph.js";
import { Node } from "../ir/node.js";
import type { Attrs, Instruction } from "../isa/instruction.js";
import type { CapturedGraph } from "./capture.js";

/**
 * Rewrites a captured graph so that it uses only instructions the target has kernels
 * for: each other instruction is replaced by its decomposition, recursively. Inputs
 * become fresh placeholders, so the lowered graph is independent of the user's values
 * and can be cached.
 */
export interface LoweredGraph {
  readonly inputs: readonly Node[];
  readonly outputs: readonly Node[];
}

export function lowerGraph(
  graph: CapturedGraph,
  hasKernel: (i: Instruction, attrs: Attrs) => boolean,
  target: string,
) {
  return withGradMode(false, (): LoweredGraph => {
    const lowered = new Map<Node, Node>();
    const inputs = graph.inputs.map((n) => {
      const p = Node.leaf(n.shape, n.dtype);
      lowered.set(n, p);
      lowered.set(p, p);
      return p;
    });

    const lowerOne = (n: Node): Node => {
      const args = n.inputs.map((i) => lowered.get(i)!);
      const op = n.op!;
      if (hasKernel(op, n.attrs)) {
        const out = new Node(op, args, n.attrs, n.shape, n.dtype);
        lowered.set(out, out);
        return out;
      }
      if (!op.spec.decompose) {
        throw new Error(`${op.name}: target "${target}" has no kernel for it and it has no decomposition`);
      }
      const expansion = op.spec.decompose(args, n.attrs);
      // A decomposition that yields another dtype or shape than the instruction declares
      // would give other results on the targets that expand it than on those with a kernel.
      if (expansion.dtype !== n.dtype || expansion.shape.join() !== n.shape.join()) {
        throw new Error(
          `${op.name}: its decomposition gives ${expansion.dtype} [${expansion.shape}], the instruction declares ${n.dtype} [${n.shape}]`,
        );
      }
      // Nodes the expansion created are lowered in turn; those it reused are already lowered.
      for (const m of topoSort([expansion], (x) => lowered.has(x))) {
        if (!lowered.has(m)) lowered.set(m, lowerOne(m));
      }
      return lowered.get(expansion)!;
    };

    for (const n of graph.order) if (!lowered.has(n)) lowered.set(n, lowerOne(n));
    return { inputs, outputs: graph.roots.map((r) => lowered.get(r)!) };
  });
}

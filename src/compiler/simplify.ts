import { allocHost } from "../ir/dtype.js";
import { topoSort } from "../ir/graph.js";
import { Node } from "../ir/node.js";
import { sameShape } from "../ir/shape.js";
import type { RefValue } from "../isa/instruction.js";
import { attrsKey } from "./capture.js";
import type { LoweredGraph } from "./lower.js";

/**
 * Simplifies a lowered graph before scheduling:
 * - common subexpressions are computed once (nodes with the same instruction, attributes
 *   and operands are merged: the mean inside variance and the mean beside it, say);
 * - algebraic identities disappear: x·1, x+0, x−0, a cast to the same dtype, reshape or
 *   expand to the same shape, an identity permute or a full slice; chains of reshapes,
 *   permutes and expands collapse into one;
 * - instructions whose operands are all constants are folded into a constant;
 * - whatever the outputs do not need is dropped (the walk starts from the outputs).
 */
export function simplifyGraph(graph: LoweredGraph): LoweredGraph {
  const inputs = new Set(graph.inputs);
  const order = topoSort(graph.outputs, (n) => inputs.has(n));
  const rewritten = new Map<Node, Node>();
  const byKey = new Map<string, Node>();
  const ids = new Map<Node, number>();
  for (const p of graph.inputs) ids.set(p, ids.size);

  /** The canonical node for an instruction application: an existing equal one, or a new one. */
  const make = (model: Node, args: readonly Node[], attrs = model.attrs, shape = model.shape): Node => {
    const simpler = rewrite(model, args, attrs, shape);
    if (simpler) return simpler;
    const key = `${model.op!.name}${attrsKey(attrs)}(${args.map((a) => ids.get(a)).join(",")})`;
    const found = byKey.get(key);
    if (found) return found;
    const node = new Node(model.op, args, attrs, shape, model.dtype);
    byKey.set(key, node);
    ids.set(node, ids.size);
    return node;
  };

  const rewrite = (
    model: Node,
    args: readonly Node[],
    attrs: Node["attrs"],
    shape: Node["shape"],
  ): Node | undefined => {
    const name = model.op!.name;
    const [x, y] = args;
    const sameAsX = x !== undefined && sameShape(x.shape, shape) && x.dtype === model.dtype;
    switch (name) {
      case "reshape":
        if (sameAsX) return x;
        if (x!.op?.name === "reshape") return make(model, x!.inputs, attrs, shape);
        break;
      case "expand":
        if (sameAsX) return x;
        if (x!.op?.name === "expand") return make(model, x!.inputs, attrs, shape);
        break;
      case "permute": {
        const axes = attrs.axes as number[];
        if (axes.every((a, i) => a === i)) return x;
        if (x!.op?.name === "permute") {
          const inner = x!.attrs.axes as number[];
          return make(model, x!.inputs, { axes: axes.map((a) => inner[a]!) }, shape);
        }
        break;
      }
      case "slice": {
        const { starts, ends, steps } = attrs as { starts: number[]; ends: number[]; steps: number[] };
        if (starts.every((s, i) => s === 0 && ends[i] === x!.shape[i] && steps[i] === 1)) return x;
        break;
      }
      case "cast":
        if (sameAsX) return x;
        break;
      case "mul":
        if (isConstant(y, 1) && sameAsX) return x;
        if (isConstant(x, 1) && y && sameShape(y.shape, shape) && y.dtype === model.dtype) return y;
        break;
      case "add":
        if (isConstant(y, 0) && sameAsX) return x;
        if (isConstant(x, 0) && y && sameShape(y.shape, shape) && y.dtype === model.dtype) return y;
        break;
      case "sub":
        if (isConstant(y, 0) && sameAsX) return x;
        break;
    }
    return foldConstants(model, args, attrs, shape);
  };

  const foldConstants = (model: Node, args: readonly Node[], attrs: Node["attrs"], shape: Node["shape"]) => {
    const op = model.op!;
    if (!op.spec.elementwise || args.length === 0 || !args.every((a) => a.op?.name === "full"))
      return undefined;
    // Evaluate the instruction's reference semantics on one element of each constant.
    const one = (a: Node): RefValue => ({
      shape: [],
      dtype: a.dtype,
      data: Object.assign(allocHost(a.dtype, 1), [a.attrs.value]),
    });
    const out: RefValue = { shape: [], dtype: model.dtype, data: allocHost(model.dtype, 1) };
    op.spec.ref!(args.map(one), out, attrs);
    const full = args[0]!.op!;
    return make(
      new Node(full, [], {}, shape, model.dtype),
      [],
      { value: out.data[0]!, shape: [...shape], dtype: model.dtype },
      shape,
    );
  };

  for (const n of order) {
    if (inputs.has(n)) {
      rewritten.set(n, n);
      continue;
    }
    rewritten.set(
      n,
      make(
        n,
        n.inputs.map((i) => rewritten.get(i)!),
      ),
    );
  }
  return { inputs: graph.inputs, outputs: graph.outputs.map((o) => rewritten.get(o)!) };
}

function isConstant(n: Node | undefined, value: number): boolean {
  return n?.op?.name === "full" && n.attrs.value === value;
}

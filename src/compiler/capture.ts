import { reserveMarks, topoSort } from "../ir/graph.js";
import type { Node } from "../ir/node.js";
import type { Attrs } from "../isa/attributes.js";

/**
 * The part of the IR that a realisation must compute: every node reachable from the
 * requested roots that does not hold a value yet. Nodes that hold values are the
 * program's inputs.
 */
export interface CapturedGraph {
  /** Nodes to compute and input nodes, in topological order. */
  readonly order: readonly Node[];
  /** Nodes whose values are supplied (in order of first appearance). */
  readonly inputs: readonly Node[];
  readonly roots: readonly Node[];
  /**
   * Identifies the graph's structure: instructions, attributes, shapes, dtypes and wiring,
   * but not input values. Two graphs with the same key compile to the same Program, which
   * is what lets a training loop compile once and then only run.
   */
  readonly key: string;
}

const hasValue = (n: Node) => n.buffer !== undefined || n.op === null;

export function captureGraph(roots: readonly Node[]): CapturedGraph {
  const order = topoSort(roots, hasValue);
  // Each node's position in `order`, as its mark (first + position).
  const first = reserveMarks(order.length);
  const inputs: Node[] = [];
  let key = "";
  order.forEach((n, i) => {
    n.mark = first + i;
    if (hasValue(n)) {
      inputs.push(n);
      key += `in:${n.dtype}[${n.shape.join(",")}];`;
    } else {
      key += `${n.op!.name}${attrsKey(n.attrs)}(`;
      for (const input of n.inputs) key += `${input.mark - first},`;
      key += ");";
    }
  });
  key += `out:${roots.map((r) => r.mark - first).join(",")}`;
  return { order, inputs, roots, key };
}

/**
 * Attributes as a key: `{name=value,...}`, or nothing for none. Numbers keep ±Infinity,
 * NaN and −0 apart; strings are quoted. Written by hand rather than with a JSON replacer
 * (which calls back for every value): a training step keys about two thousand nodes.
 */
export function attrsKey(attrs: Attrs): string {
  let key = "";
  for (const name in attrs) {
    const value = attrs[name];
    if (value === undefined) continue;
    key += `${name}=${Array.isArray(value) ? `[${value.map(numberKey).join(",")}]` : valueKey(value as string | number | boolean)},`;
  }
  return key === "" ? "" : `{${key}}`;
}

function valueKey(value: string | number | boolean): string {
  if (typeof value === "number") return numberKey(value);
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

function numberKey(value: number): string {
  return Object.is(value, -0) ? "-0" : String(value);
}

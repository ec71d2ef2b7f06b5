import { topoSort } from "../ir/graph.js";
import type { Node } from "../ir/node.js";

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
  const position = new Map<Node, number>();
  const inputs: Node[] = [];
  const parts: string[] = [];
  for (const n of order) {
    position.set(n, position.size);
    if (hasValue(n)) {
      inputs.push(n);
      parts.push(`in:${n.dtype}[${n.shape.join(",")}]`);
    } else {
      const args = n.inputs.map((i) => position.get(i)).join(",");
      parts.push(`${n.op!.name}${attrsKey(n.attrs)}(${args})`);
    }
  }
  parts.push(`out:${roots.map((r) => position.get(r)).join(",")}`);
  return { order, inputs, roots, key: parts.join(";") };
}

/** Attributes as a key. JSON writes ±Infinity and NaN as null and −0 as 0; a key must tell them apart. */
export function attrsKey(attrs: object): string {
  return JSON.stringify(attrs, exactNumbers);
}

function exactNumbers(_key: string, value: unknown): unknown {
  if (typeof value !== "number") return value;
  if (!Number.isFinite(value)) return String(value);
  return Object.is(value, -0) ? "-0" : value;
}

import { captureGraph } from "../compiler/capture.js";
import { compileCached } from "../compiler/compile.js";
import type { Node } from "../ir/node.js";
import { type Storage, toHost } from "../ir/storage.js";
import type { Target } from "../targets/target.js";
import { defaultTarget } from "./default-target.js";
import { attachBuffer } from "./memory.js";

/**
 * Computes the values of `nodes` (those that have none yet) in one Program: capture the
 * pending graph, compile it (or take it from the cache), run it, attach the results.
 */
export function realize(nodes: readonly Node[], target: Target = defaultTarget()): void {
  const pending = [...new Set(nodes.filter((n) => n.buffer === undefined))];
  if (pending.length === 0) return;
  for (const n of pending) if (n.op === null) throw new Error(disposedMessage(n));
  const graph = captureGraph(pending);
  for (const input of graph.inputs) if (input.buffer === undefined) throw new Error(disposedMessage(input));
  const program = compileCached(graph, target);
  const stored = graph.inputs.map((n) => n.buffer!);
  const outputs: readonly Storage[] = target.runResident
    ? target.runResident(program, stored)
    : target.run(program, stored.map(toHost));
  pending.forEach((n, i) => {
    attachBuffer(n, outputs[i]!);
    n.forgetInputsIfUnneeded();
  });
}

function disposedMessage(n: Node): string {
  return `cannot compute a value that depends on a disposed tensor (shape [${n.shape.join(",")}], ${n.dtype})`;
}

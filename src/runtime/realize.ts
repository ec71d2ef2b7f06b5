import { captureGraph } from "../compiler/capture.js";
import { compileCached } from "../compiler/compile.js";
import type { Node } from "../ir/node.js";
import { type Storage, toHost } from "../ir/storage.js";
import type { Target } from "../targets/target.js";
import { defaultTarget } from "./default-target.js";
import { attachBuffer } from "./memory.js";
import { placeholderName } from "./placeholder.js";

/**
 * Computes the values of `nodes` (those that have none yet) in one Program: capture the
 * pending graph, compile it (or take it from the cache), run it, attach the results.
 */
export function realize(nodes: readonly Node[], target: Target = defaultTarget()): void {
  const pending = [...new Set(nodes.filter((n) => n.buffer === undefined))];
  if (pending.length === 0) return;
  for (const n of pending) if (n.op === null) throw new Error(missingValueMessage(n));
  const graph = captureGraph(pending);
  for (const input of graph.inputs)
    if (input.buffer === undefined) throw new Error(missingValueMessage(input));
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

/** Why a leaf has no value: a disposed tensor, or a compiled function's argument while it is traced. */
export function missingValueMessage(n: Node): string {
  const placeholder = placeholderName(n);
  if (placeholder === undefined) return disposedMessage(n);
  return (
    `cannot compute a value while tracing a compiled function: it depends on ${placeholder}, ` +
    "whose value is only known when the function runs. Return the tensor from the function instead " +
    "of reading it (dataSync, item, assign, Tensor.realize) inside, or leave the function uncompiled"
  );
}

function disposedMessage(n: Node): string {
  return `cannot compute a value that depends on a disposed tensor (shape [${n.shape.join(",")}], ${n.dtype})`;
}

import type { HostArray } from "../ir/dtype.js";
import type { Node } from "../ir/node.js";

/**
 * Ownership of realised buffers. Every buffer attached to a node is counted here and
 * released by `dispose()`, or, as a backstop, when the node itself is garbage-collected
 * (a node, not a tensor: pending graphs may still read a node whose tensor is gone).
 * On `ref` release is bookkeeping; device targets will free real memory at the same points.
 */
const live = { buffers: 0, bytes: 0 };

const collected = new FinalizationRegistry<number>((bytes) => {
  live.buffers--;
  live.bytes -= bytes;
});

export function attachBuffer(node: Node, buffer: HostArray): void {
  if (node.buffer !== undefined) releaseBuffer(node);
  node.buffer = buffer;
  live.buffers++;
  live.bytes += buffer.byteLength;
  collected.register(node, buffer.byteLength, node);
}

export function releaseBuffer(node: Node): void {
  if (node.buffer === undefined) return;
  collected.unregister(node);
  live.buffers--;
  live.bytes -= node.buffer.byteLength;
  node.buffer = undefined;
}

/** Buffers held by live tensors: how many and how many bytes. */
export function memoryStats(): { buffers: number; bytes: number } {
  return { ...live };
}

import type { Node } from "../ir/node.js";
import { isDeviceBuffer, type Storage } from "../ir/storage.js";

/**
 * Ownership of realised buffers. Every buffer attached to a node is counted here and
 * released by `dispose()`, or, as a backstop, when the node itself is garbage-collected
 * (a node, not a tensor: pending graphs may still read a node whose tensor is gone).
 * Host arrays are left to the garbage collector; device buffers are released, which frees
 * their memory once no node holds them.
 */
const live = { buffers: 0, bytes: 0 };

const collected = new FinalizationRegistry<Storage>((storage) => {
  live.buffers--;
  live.bytes -= storage.byteLength;
  if (isDeviceBuffer(storage)) storage.release();
});

export function attachBuffer(node: Node, buffer: Storage): void {
  if (node.buffer !== undefined) releaseBuffer(node);
  if (isDeviceBuffer(buffer)) buffer.retain();
  node.buffer = buffer;
  live.buffers++;
  live.bytes += buffer.byteLength;
  collected.register(node, buffer, node);
}

export function releaseBuffer(node: Node): void {
  const buffer = node.buffer;
  if (buffer === undefined) return;
  collected.unregister(node);
  live.buffers--;
  live.bytes -= buffer.byteLength;
  node.buffer = undefined;
  if (isDeviceBuffer(buffer)) buffer.release();
}

/** Buffers held by live tensors: how many and how many bytes. */
export function memoryStats(): { buffers: number; bytes: number } {
  return { ...live };
}

import type { PoolWorker } from "./thread-pool.js";
import type { PoolWorkerData } from "./worker-protocol.js";

// The pool's transport in a browser: Web Workers (node-workers.ts is Node's). A Web Worker
// gets its data as its first message, and later messages only from its event loop: a
// worker asleep in Atomics.wait reads the load message after the LOAD signal wakes it.

/** Starts a pool worker: `worker` (made where the bundler sees its script) gets `data` first. */
export function startWebWorker<T extends PoolWorkerData>(worker: Worker, data: T): PoolWorker {
  worker.postMessage(data);
  return worker;
}

/** In a pool's Web Worker: its data (the first message), then the pool's messages in order. */
export function webWorkerSide<T extends PoolWorkerData>(): Promise<{
  data: T;
  receive: () => Promise<unknown>;
}> {
  const queue: unknown[] = [];
  const waiting: ((message: unknown) => void)[] = [];
  const scope = globalThis as unknown as { onmessage: ((event: MessageEvent) => void) | null };
  scope.onmessage = (event) => {
    const next = waiting.shift();
    if (next) next(event.data);
    else queue.push(event.data);
  };
  const receive = (): Promise<unknown> =>
    queue.length > 0 ? Promise.resolve(queue.shift()) : new Promise((resolve) => waiting.push(resolve));
  return receive().then((data) => ({ data: data as T, receive }));
}

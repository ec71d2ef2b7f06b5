import { parentPort, receiveMessageOnPort, Worker, workerData } from "node:worker_threads";
import type { PoolWorker } from "./thread-pool.js";
import type { PoolWorkerData } from "./worker-protocol.js";

// The pool's transport on Node: worker threads. web-workers.ts is the browser's.

/** Starts a pool worker: a Node worker thread running the module at `url` with `data`. */
export function spawnNodeWorker<T extends PoolWorkerData>(url: URL, data: T): PoolWorker {
  const worker = new Worker(url, {
    workerData: data,
    // A worker inherits the process's flags, but --input-type (a script run with
    // `node --input-type=module -e`) stops it from loading its module file.
    execArgv: process.execArgv.filter((flag) => !flag.startsWith("--input-type")),
  });
  worker.unref();
  return worker;
}

/** In a pool worker thread: the data it was started with, and the pool's next message. */
export function nodeWorkerSide<T extends PoolWorkerData>(): { data: T; receive: () => unknown } {
  return { data: workerData as T, receive: () => receiveMessageOnPort(parentPort!)?.message };
}

import type { PoolWorker } from "../pool/thread-pool.js";
import { startWebWorker } from "../pool/web-workers.js";
import type { WorkerData } from "./worker-protocol.js";

/**
 * Starts one worker of the wasm target's pool in a browser: a Web Worker. The URL is
 * written out inside `new Worker(...)` so that bundlers find the script and bundle it.
 */
export function spawnWasmWorker(data: WorkerData): PoolWorker {
  const worker = new Worker(new URL("./wasm-worker.browser.js", import.meta.url), {
    type: "module",
    name: "infiniset wasm",
  });
  return startWebWorker(worker, data);
}

import { spawnNodeWorker } from "../pool/node-workers.js";
import type { PoolWorker } from "../pool/thread-pool.js";
import type { WorkerData } from "./worker-protocol.js";

/** Starts one worker of the wasm target's pool: a Node worker thread (spawn-worker.browser.ts: a Web Worker). */
export function spawnWasmWorker(data: WorkerData): PoolWorker {
  return spawnNodeWorker(new URL("./wasm-worker.js", import.meta.url), data);
}

import type { PoolWorkerData } from "../pool/worker-protocol.js";

/** A program's module, sent to every worker before its first run on them. */
export interface LoadMessage {
  readonly module: WebAssembly.Module;
}

/** What each wasm worker starts with: the shared memory, beside the pool's control block. */
export interface WorkerData extends PoolWorkerData {
  readonly memory: WebAssembly.Memory;
}

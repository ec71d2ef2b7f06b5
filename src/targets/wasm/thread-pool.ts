import type { Schedule } from "../pool/schedule.js";
import { ThreadPool as SharedThreadPool } from "../pool/thread-pool.js";
import { spawnWasmWorker } from "./spawn-worker.js";
import type { LoadMessage } from "./worker-protocol.js";

/**
 * The wasm target's pool: the target-agnostic pool (../pool) with workers that
 * instantiate each program's module on the shared wasm memory (wasm-worker.ts, or in a
 * browser wasm-worker.browser.ts).
 */
export class ThreadPool extends SharedThreadPool {
  constructor(memory: WebAssembly.Memory, threads: number) {
    super({ spawn: (data) => spawnWasmWorker({ ...data, memory }), label: "wasm target" }, threads);
  }

  /** Instantiates a program's module in every worker, beside its schedule. */
  loadModule(programId: number, schedule: Schedule, module: WebAssembly.Module): void {
    const message: LoadMessage = { module };
    this.load(programId, schedule, message);
  }
}

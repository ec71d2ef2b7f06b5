import type { Schedule } from "../pool/schedule.js";
import { ThreadPool as SharedThreadPool } from "../pool/thread-pool.js";
import type { LoadMessage } from "./worker-protocol.js";

export { defaultThreadCount } from "../pool/thread-pool.js";

/**
 * The wasm target's pool: the target-agnostic pool (../pool) with workers that
 * instantiate each program's module on the shared wasm memory (wasm-worker.ts).
 */
export class ThreadPool extends SharedThreadPool {
  constructor(memory: WebAssembly.Memory, threads: number) {
    super(
      { url: new URL("./wasm-worker.js", import.meta.url), data: { memory }, label: "wasm target" },
      threads,
    );
  }

  /** Instantiates a program's module in every worker, beside its schedule. */
  loadModule(programId: number, schedule: Schedule, module: WebAssembly.Module): void {
    const message: LoadMessage = { module };
    this.load(programId, schedule, message);
  }
}

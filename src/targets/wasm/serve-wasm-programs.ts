import { servePrograms } from "../pool/serve-programs.js";
import { hostFunctions } from "./host-functions.js";
import type { LoadMessage, WorkerData } from "./worker-protocol.js";

type Kernels = Record<string, (begin: number, end: number, arena?: number) => void>;

/**
 * What a wasm worker does, on Node or in a browser: instantiate each program's module on
 * the shared memory, then run the tiles of each run (the loop is the pool's, ../pool).
 */
export function serveWasmPrograms({ memory, control }: WorkerData, receive: () => unknown): Promise<void> {
  const instances = new Map<number, Kernels>();
  return servePrograms(
    new Int32Array(control),
    receive,
    {
      load(programId, message) {
        const { module } = message as LoadMessage;
        const instance = new WebAssembly.Instance(module, { env: { memory }, host: hostFunctions });
        instances.set(programId, instance.exports as Kernels);
      },
      kernel: (programId, kernel) => instances.get(programId)![`k${kernel}`]!,
    },
    "wasm",
  );
}

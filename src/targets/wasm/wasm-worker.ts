import { parentPort, workerData } from "node:worker_threads";
import { servePrograms } from "../pool/serve-programs.js";
import { hostFunctions } from "./host-functions.js";
import type { LoadMessage, WorkerData } from "./worker-protocol.js";

/**
 * A worker of the wasm target: it instantiates each program's module on the shared
 * memory, then runs the tiles of each run (the loop is the pool's, ../pool).
 */
const { memory, control } = workerData as WorkerData;
const instances = new Map<number, Record<string, (begin: number, end: number, arena?: number) => void>>();

servePrograms(
  new Int32Array(control),
  parentPort!,
  {
    load(programId, message) {
      const { module } = message as LoadMessage;
      const instance = new WebAssembly.Instance(module, { env: { memory }, host: hostFunctions });
      instances.set(programId, instance.exports as never);
    },
    kernel: (programId, kernel) => instances.get(programId)![`k${kernel}`]!,
  },
  "wasm",
);

import { parentPort, workerData } from "node:worker_threads";
import { serveLaunches } from "../pool/serve-launches.js";
import { hostFunctions } from "./host-functions.js";
import type { LoadMessage, WorkerData } from "./worker-protocol.js";

/**
 * A worker of the wasm target: it instantiates each program's module on the shared
 * memory, then runs the tiles of each launch (the loop is the pool's, ../pool).
 */
const { memory, control } = workerData as WorkerData;
const instances = new Map<number, Record<string, (begin: number, end: number, arena?: number) => void>>();

serveLaunches(
  new Int32Array(control),
  parentPort!,
  {
    load(message) {
      const { programId, module } = message as LoadMessage;
      const instance = new WebAssembly.Instance(module, { env: { memory }, host: hostFunctions });
      instances.set(programId, instance.exports as never);
    },
    kernel: (programId, kernel) => instances.get(programId)![`k${kernel}`]!,
  },
  "wasm",
);

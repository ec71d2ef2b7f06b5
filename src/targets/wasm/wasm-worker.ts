import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import { hostFunctions } from "./host-functions.js";
import { Control, type LoadMessage, Operation, runTasks, type WorkerData } from "./worker-protocol.js";

/**
 * A worker of the wasm target: it instantiates each program's module on the shared
 * memory, then sleeps on the control block and runs the tiles of each launch.
 */
const { memory, control: controlBuffer } = workerData as WorkerData;
const control = new Int32Array(controlBuffer);
const port = parentPort!;
const instances = new Map<number, Record<string, (begin: number, end: number) => void>>();

Atomics.add(control, Control.READY, 1);
Atomics.notify(control, Control.READY);

let seen = 0;
for (;;) {
  Atomics.wait(control, Control.GENERATION, seen);
  seen = Atomics.load(control, Control.GENERATION);
  const operation = control[Control.OPERATION];
  if (operation === Operation.EXIT) break;
  try {
    if (operation === Operation.LOAD) {
      const message = receiveMessageOnPort(port as never)?.message as LoadMessage;
      const instance = new WebAssembly.Instance(message.module, { env: { memory }, host: hostFunctions });
      instances.set(message.programId, instance.exports as never);
    } else if (operation === Operation.RUN) {
      const kernel = instances.get(control[Control.PROGRAM]!)![`k${control[Control.KERNEL]}`]!;
      runTasks(control, kernel);
    }
  } catch (error) {
    Atomics.store(control, Control.FAILED, 1);
    console.error("infiniset wasm worker:", error);
  }
  Atomics.add(control, Control.DONE, 1);
  Atomics.notify(control, Control.DONE);
}

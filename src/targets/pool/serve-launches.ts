import type { MessagePort } from "node:worker_threads";
import { receiveMessageOnPort } from "node:worker_threads";
import { Control, Operation, readSignal, runTasks, type TileKernel } from "./worker-protocol.js";

/** How a target's worker makes kernels: from each load message, then one kernel by program and index. */
export interface WorkerKernels {
  load(message: unknown): void;
  kernel(programId: number, kernel: number): TileKernel;
}

/**
 * The body of every pool worker: announce readiness, then sleep on the control block and,
 * at each generation, load a program or run tiles of a launch. Never returns until EXIT.
 */
export function serveLaunches(
  control: Int32Array,
  port: MessagePort,
  kernels: WorkerKernels,
  label: string,
): void {
  Atomics.add(control, Control.READY, 1);
  Atomics.notify(control, Control.READY);
  let seen = 0;
  for (;;) {
    Atomics.wait(control, Control.SIGNAL, seen);
    seen = Atomics.load(control, Control.SIGNAL);
    const { generation, operation } = readSignal(seen);
    if (operation === Operation.EXIT) break;
    if (operation === Operation.RUN) {
      // Tasks finish themselves; a late worker claims nothing and goes back to sleep.
      runTasks(control, generation, kernels.kernel(control[Control.PROGRAM]!, control[Control.KERNEL]!));
      continue;
    }
    try {
      kernels.load(receiveMessageOnPort(port)?.message);
    } catch (error) {
      Atomics.store(control, Control.FAILED, 1);
      console.error(`infiniset ${label} worker:`, error);
    }
    Atomics.add(control, Control.DONE, 1);
    Atomics.notify(control, Control.DONE);
  }
}

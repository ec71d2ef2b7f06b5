import {
  Control,
  Operation,
  type PoolLoadMessage,
  readSignal,
  runSteps,
  type TileKernel,
} from "./worker-protocol.js";

/** How a target's worker makes kernels: from each load message, then one kernel by program and index. */
export interface WorkerKernels {
  load(programId: number, message: unknown): void;
  kernel(programId: number, kernel: number): TileKernel | undefined;
}

/** Iterations a worker polls for the next run before it sleeps (the next program often follows at once). */
const IDLE_SPIN = 3_000;

/**
 * The body of every pool worker: announce readiness, then sleep on the control block and,
 * at each generation, load a program or take part in a run. Never settles until EXIT.
 * `receive` gives the load message the main thread posted before signalling LOAD: at once
 * from a Node port (`receiveMessageOnPort`); a Web Worker has to return to its event loop
 * for it, hence the promise.
 */
export async function servePrograms(
  control: Int32Array,
  receive: () => unknown,
  kernels: WorkerKernels,
  label: string,
): Promise<void> {
  Atomics.add(control, Control.READY, 1);
  Atomics.notify(control, Control.READY);
  const schedules = new Map<number, Int32Array>();
  let seen = 0;
  for (;;) {
    for (let i = 0; i < IDLE_SPIN && Atomics.load(control, Control.SIGNAL) === seen; i++);
    Atomics.wait(control, Control.SIGNAL, seen);
    seen = Atomics.load(control, Control.SIGNAL);
    const { generation, operation } = readSignal(seen);
    if (operation === Operation.EXIT) break;
    if (operation === Operation.RUN) {
      // Steps finish themselves; a late worker claims nothing and goes back to sleep.
      const programId = control[Control.PROGRAM]!;
      const steps = schedules.get(programId);
      if (steps) {
        runSteps(
          control,
          steps,
          control[Control.FIRST_STEP]!,
          control[Control.END_STEP]!,
          generation,
          control[Control.ARGUMENT]!,
          { kernel: (k) => kernels.kernel(programId, k) },
        );
      }
      continue;
    }
    try {
      const message = (await receive()) as PoolLoadMessage;
      schedules.set(message.programId, new Int32Array(message.schedule));
      kernels.load(message.programId, message.target);
    } catch (error) {
      Atomics.store(control, Control.FAILED, 1);
      console.error(`infiniset ${label} worker:`, error);
    }
    Atomics.add(control, Control.DONE, 1);
    Atomics.notify(control, Control.DONE);
  }
}

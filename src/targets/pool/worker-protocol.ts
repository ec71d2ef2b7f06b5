/**
 * The shared control block through which the main thread hands tiles to workers: no
 * message per tile, only atomics. Each launch bumps GENERATION; workers wake, take task
 * numbers from NEXT until there are none left, and count themselves in DONE.
 *
 * Target-agnostic: a target's worker turns a program's load message into kernels it can
 * call with a tile range (a wasm instance's exports, a native library's functions).
 */
export const Control = {
  GENERATION: 0,
  OPERATION: 1,
  PROGRAM: 2,
  KERNEL: 3,
  UNITS: 4,
  CHUNK: 5,
  NEXT: 6,
  DONE: 7,
  READY: 8,
  FAILED: 9,
  /** A third argument passed to every tile call of a launch (the wasm target's arena base). */
  ARGUMENT: 10,
} as const;

export const CONTROL_INTS = 16;

export const Operation = { RUN: 1, LOAD: 2, EXIT: 3 } as const;

/** A kernel over a range of tile units [begin, end), with the launch's argument. */
export type TileKernel = (begin: number, end: number, argument?: number) => void;

/** What every pool worker receives: the control block, beside the target's own data. */
export interface PoolWorkerData {
  readonly control: SharedArrayBuffer;
}

/** Takes tasks from the shared counter and runs each tile range; used by workers and the main thread. */
export function runTasks(control: Int32Array, run: TileKernel): void {
  const units = control[Control.UNITS]!;
  const chunk = control[Control.CHUNK]!;
  const argument = control[Control.ARGUMENT]!;
  for (;;) {
    const task = Atomics.add(control, Control.NEXT, 1);
    const begin = task * chunk;
    if (begin >= units) return;
    run(begin, Math.min(units, begin + chunk), argument);
  }
}

/**
 * The shared control block through which the main thread hands tiles to workers: no
 * message per tile, only atomics.
 *
 * SIGNAL packs a generation number and an operation into one word, so a worker reads
 * both at once. A launch (RUN) does not wait for every worker: tasks are claimed from NEXT,
 * which carries the launch's tag beside the next task number, by compare-and-swap, and the
 * launch is over when TASKS_DONE reaches its task count. A worker that wakes late (its core
 * was busy) finds the tag changed and claims nothing, so a thread without a core never
 * holds up a launch. Loading a program (LOAD) still waits for every worker to acknowledge
 * in DONE, since each must instantiate it.
 *
 * Target-agnostic: a target's worker turns a program's load message into kernels it can
 * call with a tile range (a wasm instance's exports, a native library's functions).
 */
export const Control = {
  SIGNAL: 0,
  PROGRAM: 2,
  KERNEL: 3,
  UNITS: 4,
  CHUNK: 5,
  /** tag << TAG_SHIFT | next task number */
  NEXT: 6,
  /** Workers that acknowledged a LOAD. */
  DONE: 7,
  READY: 8,
  FAILED: 9,
  /** A third argument passed to every tile call of a launch (the wasm target's arena base). */
  ARGUMENT: 10,
  /** Tasks of the current launch that have finished. */
  TASKS_DONE: 11,
} as const;

export const CONTROL_INTS = 16;

export const Operation = { RUN: 1, LOAD: 2, EXIT: 3 } as const;

const OPERATION_BITS = 2;
const TAG_SHIFT = 20;
const TAG_MASK = 0x3ff;
const TASK_MASK = (1 << TAG_SHIFT) - 1;

export function signalWord(generation: number, operation: number): number {
  return (generation << OPERATION_BITS) | operation;
}

export function readSignal(word: number): { generation: number; operation: number } {
  return { generation: word >>> OPERATION_BITS, operation: word & ((1 << OPERATION_BITS) - 1) };
}

/** The NEXT word that opens a launch's tasks. */
export function openTasks(generation: number): number {
  return (generation & TAG_MASK) << TAG_SHIFT;
}

/** A kernel over a range of tile units [begin, end), with the launch's argument. */
export type TileKernel = (begin: number, end: number, argument?: number) => void;

/** What every pool worker receives: the control block, beside the target's own data. */
export interface PoolWorkerData {
  readonly control: SharedArrayBuffer;
}

/**
 * Claims tasks of the launch of `generation` and runs each tile range, until none are left
 * or the launch is over; used by workers and the main thread.
 */
export function runTasks(control: Int32Array, generation: number, run: TileKernel): void {
  const units = control[Control.UNITS]!;
  const chunk = control[Control.CHUNK]!;
  const argument = control[Control.ARGUMENT]!;
  const tag = generation & TAG_MASK;
  for (;;) {
    const word = Atomics.load(control, Control.NEXT);
    if (word >>> TAG_SHIFT !== tag) return;
    const begin = (word & TASK_MASK) * chunk;
    if (begin >= units) return;
    if (Atomics.compareExchange(control, Control.NEXT, word, word + 1) !== word) continue;
    try {
      run(begin, Math.min(units, begin + chunk), argument);
    } catch (error) {
      Atomics.store(control, Control.FAILED, 1);
      console.error("infiniset worker:", error);
    } finally {
      Atomics.add(control, Control.TASKS_DONE, 1);
      Atomics.notify(control, Control.TASKS_DONE);
    }
  }
}

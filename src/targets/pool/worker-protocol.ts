/**
 * The shared memory through which the main thread hands a program to the workers: no
 * message per kernel or per tile, only atomics.
 *
 * The control block's SIGNAL packs a generation number and an operation into one word, so
 * a worker reads both at once. A run (RUN) names a program and a range of its steps; every
 * thread then walks those steps in order (schedule.ts holds them), claiming tasks of each
 * step from its NEXT word by compare-and-swap, and moves to the next step once the step's
 * DONE count reaches its task count, whichever threads did the tasks. There is no barrier
 * among threads: a worker that wakes late (its core was busy) joins at the step the others
 * have reached, or finds the run over and claims nothing, so a thread without a core never
 * holds a run up. NEXT carries the run's tag beside the task number, so a worker still
 * looking at an earlier run cannot claim a task of the current one. Loading a program
 * (LOAD) waits for every worker to acknowledge in DONE, since each must instantiate it.
 *
 * Target-agnostic: a target's worker turns a program's load message into kernels it can
 * call with a tile range (a wasm instance's exports, a native library's functions).
 */
export const Control = {
  SIGNAL: 0,
  PROGRAM: 2,
  /** The run's steps: [FIRST_STEP, END_STEP). */
  FIRST_STEP: 3,
  END_STEP: 4,
  /** Workers that acknowledged a LOAD. */
  DONE: 7,
  READY: 8,
  FAILED: 9,
  /** A third argument passed to every tile call of a run (the wasm target's arena base). */
  ARGUMENT: 10,
} as const;

export const CONTROL_INTS = 16;

export const Operation = { RUN: 1, LOAD: 2, EXIT: 3 } as const;

const OPERATION_BITS = 2;
const TAG_SHIFT = 20;
const TAG_MASK = 0x3ff;
const TASK_MASK = (1 << TAG_SHIFT) - 1;
/** Most tasks one step may have (the task number's bits in NEXT). */
export const MAX_TASKS = TASK_MASK;

export function signalWord(generation: number, operation: number): number {
  return (generation << OPERATION_BITS) | operation;
}

export function readSignal(word: number): { generation: number; operation: number } {
  return { generation: word >>> OPERATION_BITS, operation: word & ((1 << OPERATION_BITS) - 1) };
}

/**
 * One step of a schedule: 16 ints (a cache line). KERNEL, UNITS, CHUNK and TASKS are
 * written once; NEXT and DONE are the step's counters, reset by the main thread before
 * each run. A HOST step runs on the main thread only (JavaScript that reads and writes
 * the target's memory); the workers wait for it like for any other step.
 */
export const Step = {
  KERNEL: 0,
  UNITS: 1,
  CHUNK: 2,
  TASKS: 3,
  HOST: 4,
  /** tag << TAG_SHIFT | next task number */
  NEXT: 8,
  /** Tasks of the step that have finished. */
  DONE: 12,
} as const;
export const STEP_INTS = 16;

/** A kernel over a range of tile units [begin, end), with the run's argument. */
export type TileKernel = (begin: number, end: number, argument?: number) => void;

/** What every pool worker receives: the control block, beside the target's own data. */
export interface PoolWorkerData {
  readonly control: SharedArrayBuffer;
}

/** What a worker receives when a program is loaded: its schedule, and the target's own message. */
export interface PoolLoadMessage {
  readonly programId: number;
  readonly schedule: SharedArrayBuffer;
  readonly target: unknown;
}

/** Opens steps [first, end) of a schedule for the run of `generation`. */
export function openSteps(steps: Int32Array, first: number, end: number, generation: number): void {
  const tagged = (generation & TAG_MASK) << TAG_SHIFT;
  for (let s = first; s < end; s++) {
    const at = s * STEP_INTS;
    Atomics.store(steps, at + Step.DONE, 0);
    Atomics.store(steps, at + Step.NEXT, tagged);
  }
}

/** Iterations a thread polls a step's DONE before it sleeps on it (about 50 µs). */
const SPIN = 3_000;

/** How a thread runs a step's tiles and, on the main thread, its host steps. */
export interface StepRunner {
  kernel(kernel: number): TileKernel | undefined;
  /** Only the main thread has one. */
  host?(kernel: number): void;
}

/**
 * Walks steps [first, end) of the run of `generation`: claims and runs tasks of each step,
 * then waits until the step is done before the next. Returns false when the run turned out
 * to be over (a late worker); used by workers and the main thread.
 */
export function runSteps(
  control: Int32Array,
  steps: Int32Array,
  first: number,
  end: number,
  generation: number,
  argument: number,
  runner: StepRunner,
): boolean {
  const tag = generation & TAG_MASK;
  for (let s = first; s < end; s++) {
    const at = s * STEP_INTS;
    const tasks = steps[at + Step.TASKS]!;
    if (steps[at + Step.HOST]) {
      if (runner.host) {
        guarded(control, () => runner.host!(steps[at + Step.KERNEL]!));
        finishTask(steps, at, tasks);
      }
    } else {
      const units = steps[at + Step.UNITS]!;
      const chunk = steps[at + Step.CHUNK]!;
      let run: TileKernel | undefined;
      for (;;) {
        const word = Atomics.load(steps, at + Step.NEXT);
        if (word >>> TAG_SHIFT !== tag) return false;
        const task = word & TASK_MASK;
        if (task >= tasks) break;
        if (Atomics.compareExchange(steps, at + Step.NEXT, word, word + 1) !== word) continue;
        const begin = task * chunk;
        run ??= runner.kernel(steps[at + Step.KERNEL]!);
        guarded(control, () => run!(begin, Math.min(units, begin + chunk), argument));
        finishTask(steps, at, tasks);
      }
    }
    if (!waitForStep(control, generation, steps, at, tasks)) return false;
  }
  return true;
}

function guarded(control: Int32Array, run: () => void) {
  try {
    run();
  } catch (error) {
    Atomics.store(control, Control.FAILED, 1);
    console.error("infiniset worker:", error);
  }
}

function finishTask(steps: Int32Array, at: number, tasks: number) {
  if (Atomics.add(steps, at + Step.DONE, 1) + 1 === tasks) Atomics.notify(steps, at + Step.DONE);
}

/**
 * Waits until the step's tasks are done; false if the run of `generation` ended meanwhile
 * (the main thread signals nothing else during a run, so a new generation means it is over).
 */
function waitForStep(
  control: Int32Array,
  generation: number,
  steps: Int32Array,
  at: number,
  tasks: number,
): boolean {
  let spins = 0;
  for (;;) {
    const done = Atomics.load(steps, at + Step.DONE);
    if (done >= tasks) return true;
    if (readSignal(Atomics.load(control, Control.SIGNAL)).generation !== generation) return false;
    if (++spins > SPIN) Atomics.wait(steps, at + Step.DONE, done, 5);
  }
}

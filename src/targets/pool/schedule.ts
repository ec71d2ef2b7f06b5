import { MAX_TASKS, STEP_INTS, Step } from "./worker-protocol.js";

/** One kernel of a program as the pool runs it. */
export interface ScheduledStep {
  readonly kernel: number;
  /** Tile units of the kernel. */
  readonly units: number;
  /** Units per task: `units` runs the kernel as one task, on whichever thread takes it. */
  readonly chunk: number;
  /** JavaScript run by the main thread (reference semantics on the target's memory). */
  readonly host?: boolean;
}

/**
 * A program's kernels in the order the pool runs them, in shared memory that every worker
 * reads (worker-protocol.ts describes a step). Built once per program; each run resets
 * the steps' counters.
 */
export class Schedule {
  readonly buffer: SharedArrayBuffer;
  readonly steps: Int32Array;

  constructor(readonly list: readonly ScheduledStep[]) {
    this.buffer = new SharedArrayBuffer(Math.max(1, list.length) * STEP_INTS * 4);
    this.steps = new Int32Array(this.buffer);
    list.forEach((s, i) => {
      const at = i * STEP_INTS;
      const tasks = s.host ? 1 : Math.ceil(s.units / s.chunk);
      if (tasks > MAX_TASKS) throw new Error(`internal: a step of ${tasks} tasks (at most ${MAX_TASKS})`);
      this.steps[at + Step.KERNEL] = s.kernel;
      this.steps[at + Step.UNITS] = s.units;
      this.steps[at + Step.CHUNK] = s.chunk;
      this.steps[at + Step.TASKS] = tasks;
      this.steps[at + Step.HOST] = s.host ? 1 : 0;
    });
  }

  get length(): number {
    return this.list.length;
  }
}

import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { Schedule } from "./schedule.js";
import {
  CONTROL_INTS,
  Control,
  Operation,
  openSteps,
  type PoolLoadMessage,
  runSteps,
  type StepRunner,
  signalWord,
} from "./worker-protocol.js";

/** Which worker script a pool starts, what it hands it, and how errors name the pool. */
export interface PoolWorkerSpec {
  /** The worker module; it calls `servePrograms` (see serve-programs.ts). */
  readonly url: URL;
  /** Target-specific data for each worker (a wasm memory, nothing for native libraries). */
  readonly data: Record<string, unknown>;
  /** Names the pool in errors, e.g. "wasm target". */
  readonly label: string;
}

/**
 * Worker threads that run programs' kernels over tile ranges. A program is handed to the
 * pool once per run: every thread walks its schedule (schedule.ts), taking tasks of each
 * kernel from a shared counter (an idle thread takes the next task, so a busy core does
 * not stall the run) and moving on when the kernel's tasks are done. The pool knows
 * nothing of how kernels are made: a target sends each program to its workers with
 * `load`, and its worker script turns that message into kernels.
 */
export class ThreadPool {
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_INTS * 4));
  private readonly workers: Worker[];
  private ready = false;

  constructor(
    private readonly spec: PoolWorkerSpec,
    /** Threads including the main thread. */
    readonly threads: number,
  ) {
    this.workers = Array.from({ length: threads - 1 }, () => {
      const worker = new Worker(spec.url, {
        workerData: { ...spec.data, control: this.control.buffer },
        // A worker inherits the process's flags, but --input-type (a script run with
        // `node --input-type=module -e`) stops it from loading its module file.
        execArgv: process.execArgv.filter((flag) => !flag.startsWith("--input-type")),
      });
      worker.unref();
      return worker;
    });
  }

  /**
   * Sends a program to every worker (its schedule, and a message the target's worker
   * script turns into kernels) and waits until all have it.
   */
  load(programId: number, schedule: Schedule, message: unknown): void {
    const load: PoolLoadMessage = { programId, schedule: schedule.buffer, target: message };
    for (const w of this.workers) w.postMessage(load);
    this.waitUntilReady();
    const c = this.control;
    c[Control.DONE] = 0;
    this.signal(Operation.LOAD);
    const n = this.workers.length;
    for (let done = Atomics.load(c, Control.DONE); done < n; done = Atomics.load(c, Control.DONE)) {
      Atomics.wait(c, Control.DONE, done, 1000);
    }
    this.checkFailure();
  }

  /**
   * Runs steps [first, end) of a loaded program on every thread that has a core, the
   * calling one included (`runner` gives its kernels, and runs the host steps); each tile
   * call gets `argument`. Returns when every step is done, whichever threads did the work.
   */
  run(
    programId: number,
    schedule: Schedule,
    runner: StepRunner,
    argument = 0,
    first = 0,
    end = schedule.length,
  ): void {
    this.waitUntilReady();
    const c = this.control;
    const generation = this.generation + 1;
    openSteps(schedule.steps, first, end, generation);
    c[Control.PROGRAM] = programId;
    c[Control.FIRST_STEP] = first;
    c[Control.END_STEP] = end;
    c[Control.ARGUMENT] = argument;
    this.signal(Operation.RUN);
    runSteps(c, schedule.steps, first, end, generation, argument, runner);
    this.checkFailure();
  }

  private generation = 0;

  private signal(operation: number) {
    this.generation++;
    Atomics.store(this.control, Control.SIGNAL, signalWord(this.generation, operation));
    Atomics.notify(this.control, Control.SIGNAL);
  }

  private checkFailure() {
    if (this.control[Control.FAILED]) {
      this.control[Control.FAILED] = 0;
      throw new Error(`${this.spec.label}: a worker thread failed (see the message above)`);
    }
  }

  private waitUntilReady() {
    if (this.ready) return;
    const c = this.control;
    const deadline = Date.now() + 30_000;
    for (
      let r = Atomics.load(c, Control.READY);
      r < this.workers.length;
      r = Atomics.load(c, Control.READY)
    ) {
      if (Date.now() > deadline)
        throw new Error(`${this.spec.label}: worker threads did not start within 30 s`);
      Atomics.wait(c, Control.READY, r, 100);
    }
    this.ready = true;
  }

  close(): void {
    this.signal(Operation.EXIT);
  }
}

/** Threads to use: INFINISET_THREADS, else the machine's cores. */
export function defaultThreadCount(): number {
  const env = process.env.INFINISET_THREADS;
  if (env !== undefined) {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`INFINISET_THREADS must be a positive integer, got "${env}"`);
    return n;
  }
  return availableParallelism();
}

import type { Schedule } from "./schedule.js";
import {
  CONTROL_INTS,
  Control,
  Operation,
  openSteps,
  type PoolLoadMessage,
  type PoolWorkerData,
  runSteps,
  type StepRunner,
  signalWord,
} from "./worker-protocol.js";

/** What the pool needs of a worker once it runs: a way to send it a program. */
export interface PoolWorker {
  postMessage(message: unknown): void;
}

/**
 * How a pool starts its workers and how errors name it. `spawn` starts one worker running
 * `servePrograms` (serve-programs.ts) with `data` (the control block, beside the target's
 * own data): Node's worker threads (node-workers.ts) or a browser's Web Workers — two
 * transports of the same protocol.
 */
export interface PoolWorkerSpec {
  readonly spawn: (data: PoolWorkerData) => PoolWorker;
  /** Names the pool in errors, e.g. "wasm target". */
  readonly label: string;
}

/** How long the pool waits for its workers to start. */
const START_MS = 30_000;

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
  private readonly workers: PoolWorker[];
  private ready = false;

  constructor(
    private readonly spec: PoolWorkerSpec,
    /** Threads including the main thread. */
    readonly threads: number,
  ) {
    this.workers = Array.from({ length: threads - 1 }, () => spec.spawn({ control: this.control.buffer }));
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

  /**
   * Resolves once every worker has started, without blocking the calling thread. A browser
   * must await it before the first run: a Web Worker starts only after the thread that
   * made it returns to its event loop, so blocking until it is ready would wait forever.
   */
  async started(): Promise<void> {
    const deadline = Date.now() + START_MS;
    while (!this.allReady()) {
      if (Date.now() > deadline) throw this.notStarted();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    this.ready = true;
  }

  private waitUntilReady() {
    if (this.ready) return;
    const c = this.control;
    const deadline = Date.now() + START_MS;
    for (
      let r = Atomics.load(c, Control.READY);
      r < this.workers.length;
      r = Atomics.load(c, Control.READY)
    ) {
      if (Date.now() > deadline) throw this.notStarted();
      Atomics.wait(c, Control.READY, r, 100);
    }
    this.ready = true;
  }

  private allReady(): boolean {
    return Atomics.load(this.control, Control.READY) >= this.workers.length;
  }

  private notStarted(): Error {
    return new Error(
      `${this.spec.label}: worker threads did not start within ${START_MS / 1000} s` +
        (typeof process === "undefined" ? " (in a browser, await the target's startWorkers() first)" : ""),
    );
  }

  close(): void {
    this.signal(Operation.EXIT);
  }
}

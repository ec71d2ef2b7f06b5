// How a search decides what to train next. The unit of work is a segment: train trial t
// (its run directory, continued from its checkpoint) up to iteration r. Grid and random
// search give each trial one segment, to the end of the run; successive halving and ASHA
// give every trial a short first segment and continue only the best at each rung. A
// strategy only decides: the sweep runs the segments wherever its workers are and tells
// the strategy how each one ended, so the same strategies drive local processes and
// machines on a queue, and replaying a results file rebuilds a stopped sweep's state.
import type { Objective } from "../objective.js";

/** Train trial `trial` up to `iterations`, which is rung `rung` of the search. */
export interface Segment {
  trial: number;
  rung: number;
  iterations: number;
}

/** How a segment ended: the objective at its last iteration (NaN when the trial failed). */
export interface SegmentOutcome extends Segment {
  objective: number;
}

export type Next = Segment | "wait" | "done";

export interface Strategy {
  /** The next segment to start; "wait" while only running segments can unlock more work. */
  next(): Next;
  /** A segment ended (or, when resuming, had ended in an earlier session). */
  record(outcome: SegmentOutcome): void;
}

export interface StrategyContext {
  objective: Objective;
  /** How many trials may be started in all (Infinity: until the time budget runs out). */
  trialLimit: number;
  /** The run's full length in iterations. */
  maxIterations: number;
}

/**
 * The iterations of each rung for halving with factor `eta`: geometric, from about
 * `minIterations` up to exactly `maxIterations` (the last rung is the full run).
 */
export function rungIterations(maxIterations: number, minIterations: number, eta: number): number[] {
  const top = Math.floor(Math.log(maxIterations / minIterations) / Math.log(eta) + 1e-9);
  const rungs = Array.from({ length: top + 1 }, (_, k) =>
    Math.max(1, Math.round(maxIterations / eta ** (top - k))),
  );
  return [...new Set(rungs)];
}

/** Trial numbers started so far, handing out the lowest one not yet used. */
export class TrialCounter {
  private readonly started = new Set<number>();

  constructor(private readonly limit: number) {}

  get count(): number {
    return this.started.size;
  }

  mark(trial: number): void {
    this.started.add(trial);
  }

  /** The next trial to start, or undefined when the limit is reached. */
  take(): number | undefined {
    if (this.started.size >= this.limit) return undefined;
    let trial = 0;
    while (this.started.has(trial)) trial++;
    this.started.add(trial);
    return trial;
  }
}

// Successive halving and its asynchronous form, ASHA (Li et al., "A System for Massively
// Parallel Hyperparameter Tuning", MLSys 2020). Trials train in segments up to rungs
// r0 < r1 < … < R, eta times longer each; at each rung only the best 1/eta go on, so weak
// trials are stopped early and most of the compute goes to the promising ones.
//
// Successive halving is synchronous: all n trials train to r0, then the best n/eta to r1,
// and so on; a rung waits for its slowest trial. ASHA never waits: whenever a worker is
// free it promotes a trial that is in the top 1/eta of the results its rung has so far
// (looking from the top rung down), and otherwise starts a new trial at r0.
import { compareValues } from "../objective.js";
import {
  type Next,
  rungIterations,
  type Segment,
  type SegmentOutcome,
  type Strategy,
  type StrategyContext,
  TrialCounter,
} from "./strategy.js";

export interface HalvingOptions {
  eta: number;
  minIterations: number;
}

/** Results per rung and which trials went on from each: the state both halvings share. */
abstract class Halving implements Strategy {
  protected readonly rungs: number[];
  protected readonly trials: TrialCounter;
  /** results[k]: trial → objective at rung k. */
  protected readonly results: Map<number, number>[];
  /** promoted[k]: trials sent on from rung k to rung k + 1. */
  protected readonly promoted: Set<number>[];
  protected readonly running = new Set<number>();

  constructor(
    protected readonly context: StrategyContext,
    protected readonly options: HalvingOptions,
  ) {
    this.rungs = rungIterations(context.maxIterations, options.minIterations, options.eta);
    this.trials = new TrialCounter(context.trialLimit);
    this.results = this.rungs.map(() => new Map());
    this.promoted = this.rungs.map(() => new Set());
  }

  abstract next(): Next;

  record(outcome: SegmentOutcome): void {
    const { trial, rung } = outcome;
    if (rung >= this.rungs.length)
      throw new Error(`trial ${trial}: rung ${rung} is past the last rung (${this.rungs.length - 1})`);
    this.trials.mark(trial);
    this.running.delete(trial);
    this.results[rung]!.set(trial, outcome.objective);
    if (rung > 0) this.promoted[rung - 1]!.add(trial);
  }

  /** Rung k's trials, best first. */
  protected ranked(k: number): number[] {
    return [...this.results[k]!.entries()]
      .sort((a, b) => compareValues(this.context.objective, a[1], b[1]) || a[0] - b[0])
      .map(([trial]) => trial);
  }

  protected start(trial: number, rung: number): Segment {
    this.running.add(trial);
    return { trial, rung, iterations: this.rungs[rung]! };
  }

  protected promote(trial: number, from: number): Segment {
    this.promoted[from]!.add(trial);
    return this.start(trial, from + 1);
  }

  protected startNew(): Segment | undefined {
    const trial = this.trials.take();
    return trial === undefined ? undefined : this.start(trial, 0);
  }

  protected idle(): Next {
    return this.running.size > 0 ? "wait" : "done";
  }
}

export class Asha extends Halving {
  next(): Next {
    for (let k = this.rungs.length - 2; k >= 0; k--) {
      const ranked = this.ranked(k);
      const top = ranked.slice(0, Math.floor(ranked.length / this.options.eta));
      const trial = top.find((t) => !this.promoted[k]!.has(t) && Number.isFinite(this.results[k]!.get(t)));
      if (trial !== undefined) return this.promote(trial, k);
    }
    return this.startNew() ?? this.idle();
  }
}

export class SuccessiveHalving extends Halving {
  /** How many trials rung k keeps: n / eta^k of the n started, at least one. */
  private size(k: number): number {
    const n = this.context.trialLimit;
    return Math.max(1, Math.floor(n / this.options.eta ** k));
  }

  next(): Next {
    const fresh = this.startNew();
    if (fresh) return fresh;
    // A rung is decided once all its trials have reported; failed trials go no further.
    if (this.results[0]!.size < this.size(0)) return this.idle();
    for (let k = 0; k < this.rungs.length - 1; k++) {
      const keep = this.ranked(k)
        .filter((t) => Number.isFinite(this.results[k]!.get(t)))
        .slice(0, this.size(k + 1));
      const trial = keep.find((t) => !this.promoted[k]!.has(t));
      if (trial !== undefined) return this.promote(trial, k);
      if (keep.some((t) => !this.results[k + 1]!.has(t))) return this.idle();
    }
    return this.idle();
  }
}

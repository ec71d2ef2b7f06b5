// Grid and random search: every trial trains to the end in one segment. Which values a
// trial gets (grid point or random draw) is the sweep config's business, by trial number.
import {
  type Next,
  type SegmentOutcome,
  type Strategy,
  type StrategyContext,
  TrialCounter,
} from "./strategy.js";

export class FullRuns implements Strategy {
  private readonly trials: TrialCounter;
  private readonly running = new Set<number>();

  constructor(private readonly context: StrategyContext) {
    this.trials = new TrialCounter(context.trialLimit);
  }

  next(): Next {
    const trial = this.trials.take();
    if (trial !== undefined) {
      this.running.add(trial);
      return { trial, rung: 0, iterations: this.context.maxIterations };
    }
    return this.running.size > 0 ? "wait" : "done";
  }

  record(outcome: SegmentOutcome): void {
    this.trials.mark(outcome.trial);
    this.running.delete(outcome.trial);
  }
}

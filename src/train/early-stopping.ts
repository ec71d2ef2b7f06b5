// Early stopping: stop when the validation loss has not improved for `patience`
// evaluations in a row. Its memory (the best loss, how long since) is checkpointed, so a
// resumed run stops where the uninterrupted one would have.
import type { TrainingCallback } from "./callbacks.js";
import type { EvalRecord } from "./training-log.js";

export interface EarlyStoppingOptions {
  /** Evaluations without improvement tolerated before stopping. */
  patience: number;
  /** How much lower than the best a loss must be to count as an improvement. Default 0. */
  minDelta?: number;
}

interface EarlyStoppingState {
  best: number | null;
  bestIter: number | null;
  evaluationsWithoutImprovement: number;
}

export class EarlyStopping implements TrainingCallback {
  readonly name = "earlyStopping";
  readonly patience: number;
  readonly minDelta: number;
  #state: EarlyStoppingState = { best: null, bestIter: null, evaluationsWithoutImprovement: 0 };

  constructor({ patience, minDelta = 0 }: EarlyStoppingOptions) {
    if (!Number.isInteger(patience) || patience < 1) {
      throw new Error(`EarlyStopping: patience must be an integer >= 1, got ${patience}`);
    }
    if (!(minDelta >= 0)) throw new Error(`EarlyStopping: minDelta must be >= 0, got ${minDelta}`);
    this.patience = patience;
    this.minDelta = minDelta;
  }

  onEvaluation(evaluation: EvalRecord): string | undefined {
    const state = this.#state;
    if (state.best === null || evaluation.valLoss < state.best - this.minDelta) {
      state.best = evaluation.valLoss;
      state.bestIter = evaluation.iter;
      state.evaluationsWithoutImprovement = 0;
      return undefined;
    }
    state.evaluationsWithoutImprovement++;
    if (state.evaluationsWithoutImprovement < this.patience) return undefined;
    return (
      `early stopping: the validation loss has not improved on ${state.best.toFixed(4)} ` +
      `(iteration ${state.bestIter}) for ${this.patience} evaluations`
    );
  }

  state(): EarlyStoppingState {
    return { ...this.#state };
  }

  loadState(state: unknown): void {
    const s = state as Partial<EarlyStoppingState> | null;
    if (s === null || typeof s !== "object" || !Number.isInteger(s.evaluationsWithoutImprovement)) {
      throw new Error("EarlyStopping.loadState: not an early-stopping state");
    }
    this.#state = {
      best: s.best ?? null,
      bestIter: s.bestIter ?? null,
      evaluationsWithoutImprovement: s.evaluationsWithoutImprovement!,
    };
  }
}

// What `fit` tells the outside world as it trains. Progress display, logging and early
// stopping are callbacks; a callback with state that must survive a checkpoint (early
// stopping's best loss so far) gives it a name and `state`/`loadState`.
import type { EvalRecord, StepRecord } from "./training-log.js";

export interface TrainingStart {
  /** Steps already done (more than 0 when resuming). */
  startIter: number;
  /** The step count training ends at. */
  iterations: number;
  /** Tokens in one training batch. */
  tokensPerStep: number;
  /** Wall time already spent in earlier sessions of this run. */
  elapsedMs: number;
}

/** Why training ended; "error" is any other exception, which `fit` passes on after telling callbacks. */
export type StopReason = "completed" | "early-stopping" | "non-finite-loss" | "error";

export interface TrainingEnd {
  iter: number;
  reason: StopReason;
  /** Says why in words (which loss was not finite; what early stopping saw). */
  message: string;
  elapsedMs: number;
}

export interface CheckpointSaved {
  iter: number;
  path: string;
}

export interface TrainingCallback {
  /** Names the callback's saved state in a checkpoint; needed only with `state`. */
  readonly name?: string;
  onStart?(start: TrainingStart): void;
  onStep?(step: StepRecord & { iterations: number; etaMs: number }): void;
  /** Return a message to stop training (early stopping); it ends up in TrainingEnd.message. */
  onEvaluation?(evaluation: EvalRecord & { iterations: number; etaMs: number }): string | undefined;
  onCheckpoint?(saved: CheckpointSaved): void;
  onEnd?(end: TrainingEnd): void;
  /** JSON-safe state to store in a checkpoint. */
  state?(): unknown;
  /** Restores what `state` returned, when resuming. */
  loadState?(state: unknown): void;
}

import type { Tensor } from "../tensor/tensor.js";

/** A hyperparameter as saved: JSON-friendly. */
export type SavedOption = number | boolean | readonly number[];

/**
 * An optimizer's state for checkpoints: tensors to store (e.g. as safetensors) and
 * numbers to store as JSON. Parameters are identified by their position in the
 * optimizer's groups, in order (as PyTorch does), so the optimizer that loads this must
 * be built over the same parameters in the same groups.
 */
export interface OptimizerStateDict {
  /** The optimizer that wrote it: "SGD", "Adam" or "AdamW". */
  kind: string;
  /** Steps taken: the iteration the learning-rate schedule sees next. */
  iteration: number;
  /** Per parameter (flat index over the groups): the updates it has had, 0 if none yet. */
  steps: number[];
  /** Per-parameter state, named `<index>.<name>`, e.g. `3.expAvg`. Snapshots: later steps do not change them. */
  tensors: Record<string, Tensor>;
  /** Each group's number of parameters and its hyperparameters (`lr` only when it is a number, not a schedule). */
  groups: { size: number; options: Record<string, SavedOption> }[];
}

export const stateTensorKey = (paramIndex: number, name: string): string => `${paramIndex}.${name}`;

import type { Tensor } from "../tensor/tensor.js";
import { type AdamOptions, checkAdamOptions } from "./adam-options.js";
import { adamStepScalars, adamUpdate } from "./adam-update.js";
import { Optimizer, type UpdateInput, type UpdateOutput } from "./optimizer.js";
import type { ParamGroup } from "./param-groups.js";

/**
 * AdamW (Loshchilov & Hutter): Adam with decoupled weight decay, the weights shrunk by
 * `1 − lr·weightDecay` before the Adam step, as `torch.optim.AdamW` does. Keep norms,
 * biases and embeddings out of decay with a group `{ params, weightDecay: 0 }`.
 */
export class AdamW extends Optimizer<AdamOptions> {
  constructor(
    params: readonly Tensor[] | readonly ParamGroup<AdamOptions>[],
    options: Partial<AdamOptions> = {},
  ) {
    super("AdamW", params, {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 1e-2,
      l1: 0,
      ...options,
    });
  }

  protected checkOptions(o: AdamOptions): void {
    checkAdamOptions(this.kind, o);
  }

  protected stateNames(): readonly string[] {
    return ["expAvg", "expAvgSq"];
  }

  protected stepScalars(o: AdamOptions, lr: number, step: number): Record<string, number> {
    return adamStepScalars(o, lr, step, true);
  }

  protected update(input: UpdateInput<AdamOptions>): UpdateOutput {
    return adamUpdate(input, true);
  }
}

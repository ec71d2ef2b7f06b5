import type { Tensor } from "../tensor/tensor.js";
import { type AdamOptions, checkAdamOptions } from "./adam-options.js";
import { adamStepScalars, adamUpdate } from "./adam-update.js";
import { Optimizer, type UpdateInput, type UpdateOutput } from "./optimizer.js";
import type { ParamGroup } from "./param-groups.js";

/**
 * Adam (Kingma & Ba) with PyTorch's update; `weightDecay` is the L2 gradient term, which
 * passes through the moments. For weight decay that does not, use AdamW.
 */
export class Adam extends Optimizer<AdamOptions> {
  constructor(
    params: readonly Tensor[] | readonly ParamGroup<AdamOptions>[],
    options: Partial<AdamOptions> = {},
  ) {
    super("Adam", params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, l1: 0, ...options });
  }

  protected checkOptions(o: AdamOptions): void {
    checkAdamOptions(this.kind, o);
  }

  protected stateNames(): readonly string[] {
    return ["expAvg", "expAvgSq"];
  }

  protected stepScalars(o: AdamOptions, lr: number, step: number): Record<string, number> {
    return adamStepScalars(o, lr, step, false);
  }

  protected update(input: UpdateInput<AdamOptions>): UpdateOutput {
    return adamUpdate(input, false);
  }
}

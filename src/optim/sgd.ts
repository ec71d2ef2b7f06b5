import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, type UpdateInput, type UpdateOutput } from "./optimizer.js";
import type { CommonOptions, ParamGroup } from "./param-groups.js";
import { addPenaltyGradients } from "./penalties.js";

export interface SgdOptions extends CommonOptions {
  /** Momentum factor μ; 0 keeps no momentum buffer. Default 0. */
  momentum: number;
  /** Dampening d of the gradient added to the buffer. Default 0. */
  dampening: number;
  /** Nesterov momentum (needs μ > 0 and d = 0). Default false. */
  nesterov: boolean;
}

/**
 * Stochastic gradient descent with PyTorch's update (`torch.optim.SGD`):
 *
 *     g ← grad + weightDecay·p + l1·sign(p)
 *     b ← g                      at a parameter's first update
 *     b ← μ·b + (1 − d)·g        after it
 *     g ← g + μ·b  (Nesterov)  or  g ← b  (with momentum)
 *     p ← p − lr·g
 *
 * Weight decay here is the L2 gradient term (coupled). The first update is the same
 * instruction graph as the others: the buffer starts at zero and the step feeds
 * μ = 0, 1 − d = 1 as inputs, so `b = 0·0 + 1·g = g` exactly.
 */
export class SGD extends Optimizer<SgdOptions> {
  constructor(
    params: readonly Tensor[] | readonly ParamGroup<SgdOptions>[],
    options: Partial<SgdOptions> & Pick<SgdOptions, "lr">,
  ) {
    super("SGD", params, { momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, l1: 0, ...options });
  }

  protected checkOptions(o: SgdOptions): void {
    for (const name of ["momentum", "dampening", "weightDecay", "l1"] as const) {
      if (!Number.isFinite(o[name]) || o[name] < 0) {
        throw new Error(`SGD: ${name} must be finite and ≥ 0, got ${o[name]}`);
      }
    }
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new Error("SGD: Nesterov momentum needs momentum > 0 and dampening 0");
    }
  }

  protected stateNames(o: SgdOptions): readonly string[] {
    return o.momentum !== 0 ? ["momentumBuffer"] : [];
  }

  protected stepScalars(o: SgdOptions, lr: number, step: number): Record<string, number> {
    if (o.momentum === 0) return { lr };
    const first = step === 1;
    return { lr, bufferMomentum: first ? 0 : o.momentum, gradScale: first ? 1 : 1 - o.dampening };
  }

  protected update({ param, grad, state, options: o, scalars: s }: UpdateInput<SgdOptions>): UpdateOutput {
    let g = addPenaltyGradients(grad, param, { l2: o.weightDecay, l1: o.l1 });
    const newState: Record<string, Tensor> = {};
    if (o.momentum !== 0) {
      const buffer = state.momentumBuffer!.mul(s.bufferMomentum!).add(g.mul(s.gradScale!));
      newState.momentumBuffer = buffer;
      g = o.nesterov ? g.add(buffer.mul(o.momentum)) : buffer;
    }
    return { param: param.sub(g.mul(s.lr!)), state: newState };
  }
}

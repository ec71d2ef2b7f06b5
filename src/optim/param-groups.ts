import type { Tensor } from "../tensor/tensor.js";
import type { LearningRate } from "./schedules/lr-schedule.js";

/** Options every optimizer has; each optimizer adds its own. */
export interface CommonOptions {
  /** A fixed rate or a schedule of the iteration. */
  lr: LearningRate;
  /** L2 penalty strength (its exact role — gradient term or decoupled decay — is the optimizer's). */
  weightDecay: number;
  /** L1 penalty strength, applied as the gradient term `l1 · sign(param)`. */
  l1: number;
}

/**
 * A parameter group as given to an optimizer: its tensors and any options that override
 * the optimizer's defaults, as in PyTorch. A group with `weightDecay: 0` is how biases,
 * norms and embeddings are kept out of weight decay.
 */
export type ParamGroup<O> = { params: readonly Tensor[] } & Partial<O>;

/** A group after defaults are filled in. Options may be changed between steps (e.g. `lr`). */
export type Group<O> = O & { readonly params: readonly Tensor[] };

/** Fills in defaults and checks that every parameter is a float32 tensor given once. */
export function resolveGroups<O extends CommonOptions>(
  who: string,
  paramsOrGroups: readonly Tensor[] | readonly ParamGroup<O>[],
  defaults: O,
): Group<O>[] {
  const given: ParamGroup<O>[] = isGroupList(paramsOrGroups)
    ? [...paramsOrGroups]
    : [{ params: paramsOrGroups } as ParamGroup<O>];
  const seen = new Set<Tensor>();
  const groups = given.map((group, g) => {
    if (!Array.isArray(group.params)) throw new Error(`${who}: group ${g} has no params array`);
    for (const p of group.params) {
      if (p === null || typeof p !== "object" || !("dtype" in p)) {
        throw new Error(`${who}: group ${g} holds something that is not a tensor`);
      }
      if (p.dtype !== "float32") throw new Error(`${who}: parameters must be float32, got ${p.dtype}`);
      if (seen.has(p)) throw new Error(`${who}: a parameter appears in more than one place`);
      seen.add(p);
    }
    const overrides = Object.fromEntries(Object.entries(group).filter(([, v]) => v !== undefined));
    return { ...defaults, ...overrides, params: [...group.params] } as Group<O>;
  });
  if (seen.size === 0) throw new Error(`${who}: got an empty parameter list`);
  return groups;
}

function isGroupList<O>(
  list: readonly Tensor[] | readonly ParamGroup<O>[],
): list is readonly ParamGroup<O>[] {
  const first = list[0] as unknown;
  return typeof first === "object" && first !== null && "params" in first;
}

import { tensor } from "../tensor/creation.js";
import { gradients, noGrad } from "../tensor/functional.js";
import { Tensor } from "../tensor/tensor.js";
import { checkMaxNorm, clipByGlobalNorm } from "./clip-grad-norm.js";
import { type CommonOptions, type Group, type ParamGroup, resolveGroups } from "./param-groups.js";
import { paramsReached } from "./params-reached.js";
import { scalarLeaf } from "./scalar-leaf.js";
import { learningRateAt } from "./schedules/lr-schedule.js";
import { type OptimizerStateDict, type SavedOption, stateTensorKey } from "./state-dict.js";

export interface StepOptions {
  /** Clip the gradients to this global 2-norm first (PyTorch's `clip_grad_norm_`). */
  clipNorm?: number;
  /**
   * Other tensors to compute in the step's program (`stepOn` only): values of the same
   * forward pass, such as a model's staged batch-norm statistics or metrics, without a
   * second pass.
   */
  alsoCompute?: readonly Tensor[];
}

export interface StepResult {
  /** The global gradient norm before clipping, when `clipNorm` was given. */
  gradNorm: number | undefined;
}

export interface StepOnResult extends StepResult {
  loss: number;
}

/** What an optimizer's update rule gets for one parameter. */
export interface UpdateInput<O> {
  param: Tensor;
  /** The gradient, already clipped. Pending: the update is built lazily. */
  grad: Tensor;
  /** This parameter's state tensors by name (zeros before its first update). */
  state: Readonly<Record<string, Tensor>>;
  options: O;
  /** The per-step values from `stepScalars`, as scalar tensor inputs. */
  scalars: Readonly<Record<string, Tensor>>;
}

export interface UpdateOutput {
  param: Tensor;
  state: Record<string, Tensor>;
}

interface ParamState {
  /** Updates this parameter has had. */
  step: number;
  tensors: Record<string, Tensor>;
}

/**
 * The machinery shared by the optimizers. Each step builds the update of every parameter
 * lazily from tensor ops, realises it together with whatever else the step computes (in
 * `stepOn`: the loss, its gradients and the clip) as one program, and then `assign`s the
 * new values to the parameters and state tensors.
 *
 * Everything that changes from step to step — the learning rate, bias corrections —
 * enters that program as scalar *inputs* (`stepScalars`), never as constants, so the
 * program's structure, and with it the compiled program, is the same every step.
 */
export abstract class Optimizer<O extends CommonOptions> {
  /** The groups, defaults filled in. Options may be changed between steps, as in PyTorch. */
  readonly paramGroups: Group<O>[];
  #iteration = 0;
  readonly #states = new Map<Tensor, ParamState>();

  /**
   * @param kind the optimizer's name, recorded in state dicts
   */
  protected constructor(
    readonly kind: string,
    paramsOrGroups: readonly Tensor[] | readonly ParamGroup<O>[],
    defaults: O,
  ) {
    this.paramGroups = resolveGroups(kind, paramsOrGroups, defaults);
    for (const group of this.paramGroups) this.checkOptions(group);
  }

  /** Names of the state tensors kept per parameter in a group with these options. */
  protected abstract stateNames(options: O): readonly string[];
  /** Host-side numbers for one step of a parameter (its `step`-th update, from 1) in a group. */
  protected abstract stepScalars(options: O, lr: number, step: number): Record<string, number>;
  /** The new parameter and state, built lazily. */
  protected abstract update(input: UpdateInput<O>): UpdateOutput;
  /** Throws on invalid options (called at construction, after loading, and before each step). */
  protected abstract checkOptions(options: O): void;

  /** Steps taken so far: the iteration the learning-rate schedules see at the next step. */
  get iteration(): number {
    return this.#iteration;
  }

  /** Every parameter, in group order. */
  params(): Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /** The learning rate of each group at the next step. */
  learningRates(): number[] {
    return this.paramGroups.map((g) => learningRateAt(g.lr, this.#iteration));
  }

  /** Forgets every parameter's `.grad`. (A step already clears them: `assign` does.) */
  zeroGrad(): void {
    for (const p of this.params()) p.grad = undefined;
  }

  /**
   * The classic step: updates each parameter from its `.grad` (filled in by
   * `loss.backward()`), skipping parameters without one, in one program. Afterwards the
   * parameters hold new values and no `.grad`.
   */
  step(options: StepOptions = {}): StepResult {
    const entries = this.#entries().filter((e) => e.param.grad !== undefined);
    if (entries.length === 0) {
      throw new Error(`${this.kind}.step: no parameter has a gradient (call loss.backward() first)`);
    }
    const { grads, norm } = this.#clip(
      entries.map((e) => e.param.grad!),
      options,
    );
    this.#apply(
      entries.map((e, i) => ({ ...e, grad: grads[i]! })),
      norm ? [norm] : [],
    );
    return { gradNorm: norm?.item() };
  }

  /**
   * A whole training step as one program: the gradients of `loss` (built from the
   * parameters with grad mode on), the optional clip, and the update are computed
   * together with the loss itself, then the parameters are assigned their new values.
   * Parameters the loss does not depend on are skipped, like those without `.grad` in `step`.
   */
  stepOn(loss: Tensor, options: StepOptions = {}): StepOnResult {
    if (!loss.requiresGrad) {
      throw new Error(
        `${this.kind}.stepOn: the loss does not depend on any tensor that requires grad (was it built under noGrad?)`,
      );
    }
    const reached = new Set(paramsReached(loss, this.params()));
    const entries = this.#entries().filter((e) => reached.has(e.param));
    if (entries.length === 0)
      throw new Error(`${this.kind}.stepOn: the loss does not depend on any parameter`);
    const { grads, norm } = this.#clip(
      gradients(
        loss,
        entries.map((e) => e.param),
      ),
      options,
    );
    this.#apply(
      entries.map((e, i) => ({ ...e, grad: grads[i]! })),
      [loss, ...(norm ? [norm] : []), ...(options.alsoCompute ?? [])],
    );
    return { loss: loss.item(), gradNorm: norm?.item() };
  }

  /** A snapshot of the state for a checkpoint; `loadStateDict` on a fresh optimizer continues bit for bit. */
  stateDict(): OptimizerStateDict {
    const tensors: Record<string, Tensor> = {};
    const steps = this.params().map((p, i) => {
      const state = this.#states.get(p);
      for (const [name, t] of Object.entries(state?.tensors ?? {}))
        tensors[stateTensorKey(i, name)] = t.detach();
      return state?.step ?? 0;
    });
    const groups = this.paramGroups.map(({ params, ...options }) => ({
      size: params.length,
      options: savedOptions(options),
    }));
    return { kind: this.kind, iteration: this.#iteration, steps, tensors, groups };
  }

  /**
   * Restores a state written by `stateDict` of an optimizer of the same kind over the same
   * parameters. Hyperparameters are restored too, except that a group whose `lr` is a
   * schedule keeps it (schedules are code, not saved).
   */
  loadStateDict(dict: OptimizerStateDict): void {
    const who = `${this.kind}.loadStateDict`;
    if (dict.kind !== this.kind) throw new Error(`${who}: the state is from ${dict.kind}, not ${this.kind}`);
    checkCounter(dict.iteration, "iteration", who);
    const sizes = this.paramGroups.map((g) => g.params.length);
    const savedSizes = dict.groups.map((g) => g.size);
    if (sizes.join(",") !== savedSizes.join(",")) {
      throw new Error(
        `${who}: the state has groups of [${savedSizes}] parameters, this optimizer [${sizes}]`,
      );
    }
    const params = this.params();
    if (dict.steps.length !== params.length) {
      throw new Error(
        `${who}: the state has steps for ${dict.steps.length} parameters, not ${params.length}`,
      );
    }
    const restoredGroups = this.paramGroups.map((group, g) => {
      const restored = { ...group, ...dict.groups[g]!.options } as Group<O>;
      if (typeof group.lr === "function") restored.lr = group.lr;
      this.checkOptions(restored);
      return restored;
    });
    const states = new Map<Tensor, ParamState>();
    let index = 0;
    restoredGroups.forEach((group) => {
      for (const param of group.params) {
        const i = index++;
        const step = dict.steps[i]!;
        checkCounter(step, `steps[${i}]`, who);
        if (step === 0) continue;
        const tensors: Record<string, Tensor> = {};
        for (const name of this.stateNames(group)) {
          const key = stateTensorKey(i, name);
          const saved = dict.tensors[key];
          if (!saved) throw new Error(`${who}: the state lacks tensor ${key}`);
          if (saved.dtype !== "float32" || saved.shape.join(",") !== param.shape.join(",")) {
            throw new Error(
              `${who}: tensor ${key} is ${saved.dtype} [${saved.shape}], its parameter float32 [${param.shape}]`,
            );
          }
          tensors[name] = saved.detach();
        }
        states.set(param, { step, tensors });
      }
    });
    // Only now, with everything checked, change this optimizer.
    restoredGroups.forEach((group, g) => {
      Object.assign(this.paramGroups[g]!, group);
    });
    this.#states.clear();
    for (const [p, s] of states) this.#states.set(p, s);
    this.#iteration = dict.iteration;
  }

  #entries(): { param: Tensor; group: number }[] {
    return this.paramGroups.flatMap((g, group) => g.params.map((param) => ({ param, group })));
  }

  #clip(grads: Tensor[], { clipNorm }: StepOptions): { grads: Tensor[]; norm?: Tensor } {
    if (clipNorm === undefined) return { grads };
    checkMaxNorm(clipNorm, `${this.kind}: clipNorm`);
    return noGrad(() => clipByGlobalNorm(grads, clipNorm));
  }

  /** Builds every update, realises them with `alsoCompute` in one program, and assigns. */
  #apply(entries: { param: Tensor; group: number; grad: Tensor }[], alsoCompute: Tensor[]): void {
    for (const group of this.paramGroups) this.checkOptions(group);
    const lrs = this.learningRates();
    // One set of scalar inputs per (group, step) — normally one per group — so that every
    // parameter that shares them reads the same input.
    const scalarSets = new Map<string, Record<string, Tensor>>();
    const planned = noGrad(() =>
      entries.map(({ param, group, grad }) => {
        const options = this.paramGroups[group]!;
        const state = this.#stateFor(param, options);
        const step = state.step + 1;
        const key = `${group}:${step}`;
        let scalars = scalarSets.get(key);
        if (!scalars) {
          const values = this.stepScalars(options, lrs[group]!, step);
          scalars = Object.fromEntries(Object.entries(values).map(([name, v]) => [name, scalarLeaf(v)]));
          scalarSets.set(key, scalars);
        }
        return {
          param,
          state,
          step,
          out: this.update({ param, grad, state: state.tensors, options, scalars }),
        };
      }),
    );
    Tensor.realize(...alsoCompute, ...planned.flatMap(({ out }) => [out.param, ...Object.values(out.state)]));
    for (const { param, state, step, out } of planned) {
      // The new values move into the parameter and state tensors; the temporaries let go of
      // them at once, so the previous step's memory is free for this one.
      param.assign(out.param);
      out.param.dispose();
      for (const [name, value] of Object.entries(out.state)) {
        state.tensors[name]!.assign(value);
        value.dispose();
      }
      state.step = step;
      this.#states.set(param, state);
    }
    this.#iteration++;
  }

  /** A parameter's state, with zero tensors for any it does not have yet (not stored until the step succeeds). */
  #stateFor(param: Tensor, options: O): ParamState {
    const state = this.#states.get(param) ?? { step: 0, tensors: {} };
    for (const name of this.stateNames(options)) {
      state.tensors[name] ??= tensor(new Float32Array(param.size), param.shape);
    }
    return state;
  }
}

function savedOptions(options: object): Record<string, SavedOption> {
  const saved: Record<string, SavedOption> = {};
  for (const [name, value] of Object.entries(options)) {
    if (typeof value === "number" || typeof value === "boolean") saved[name] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === "number")) saved[name] = [...value];
  }
  return saved;
}

function checkCounter(value: number, name: string, who: string): void {
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${who}: ${name} must be an integer ≥ 0, got ${value}`);
}

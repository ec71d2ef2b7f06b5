import { Tensor } from "../tensor/tensor.js";
import { formatSummary } from "./summary.js";

/** A state dict: parameter values by dotted name. A Map, or a plain object (from JSON-like code). */
export type StateDict = ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>;

export interface LoadStateDictOptions {
  /** When true (the default), keys missing from the dict or unknown to the model are errors. */
  strict?: boolean;
}

/** What a non-strict load skipped. */
export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

const VALID_NAME = /^[A-Za-z0-9_]+$/;

/**
 * The base of every layer and model. Parameters and child modules are registered
 * explicitly, by name, in the constructor:
 *
 * ```ts
 * this.weight = this.param("weight", initialValue);   // a trainable leaf tensor
 * this.attn = this.submodule("attn", new MultiHeadAttention(...));
 * ```
 *
 * Registration order is the order of `namedParameters()`, `stateDict()` and `summary()`.
 * Names of nested parameters are dotted paths (`blocks.0.attn.qkv.weight`), as in PyTorch.
 * A parameter is a `Tensor` object that keeps its identity for the module's lifetime:
 * optimizers and `loadStateDict` change its value with `Tensor.assign`, so fields that hold
 * it (and tied layers that share it) always see the current value.
 *
 * Modules have no common `forward` signature (attention takes a cache, a GPT takes ids);
 * each subclass defines its own.
 */
export abstract class Module {
  readonly #parameters = new Map<string, Tensor>();
  readonly #buffers = new Map<string, Tensor>();
  readonly #children = new Map<string, Module>();
  /** New values of buffers from a forward pass, not yet assigned (see `stage`). */
  readonly #staged = new Map<string, Tensor>();
  #training = true;

  /**
   * Registers a trainable parameter. The value becomes a float32 leaf that requires grad
   * (a pending value is computed now). Returns the same tensor, for assigning to a field.
   */
  protected param(name: string, value: Tensor): Tensor {
    this.#checkNewName(name, "param");
    if (value.dtype !== "float32") {
      throw new Error(
        `${this.constructor.name}.param("${name}"): parameters are float32, got ${value.dtype}`,
      );
    }
    value.requiresGrad = true;
    this.#parameters.set(name, value);
    return value;
  }

  /**
   * Registers a value that is part of the module's state but not trained (packed quantized
   * weights): saved and loaded with the state dict, never handed to an optimizer. Any dtype.
   */
  protected buffer(name: string, value: Tensor): Tensor {
    this.#checkNewName(name, "buffer");
    this.#buffers.set(name, value);
    return value;
  }

  /**
   * Stages a new value for buffer `name`, computed by a forward pass in training (batch
   * norm's running statistics). It is a pending tensor: `commitStaged` assigns it. A training
   * step computes staged values in its own program when they are passed to the optimizer
   * (`stepOn(loss, { alsoCompute: model.stagedValues() })`, then `commitStaged()`); otherwise
   * committing computes them on their own, which repeats the forward pass that made them.
   */
  protected stage(name: string, value: Tensor): void {
    if (!this.#buffers.has(name)) throw new Error(`${this.constructor.name}.stage: no buffer "${name}"`);
    this.#staged.set(name, value);
  }

  /** The staged buffer values of this module and every descendant (see `stage`). */
  stagedValues(): Tensor[] {
    return this.namedModules().flatMap(([, m]) => [...m.#staged.values()]);
  }

  /** Assigns every staged buffer value in this module and below (computing it if still pending). */
  commitStaged(): void {
    const pending = this.namedModules().flatMap(([, m]) =>
      [...m.#staged].map(([name, v]) => ({ m, name, v })),
    );
    if (pending.length === 0) return;
    Tensor.realize(...pending.map((p) => p.v));
    for (const { m, name, v } of pending) {
      m.#buffers.get(name)!.assign(v);
      v.dispose();
      m.#staged.delete(name);
    }
  }

  /** Registers a child module; its parameters appear under `name.`. Returns the child. */
  protected submodule<M extends Module>(name: string, child: M): M {
    this.#checkNewName(name, "submodule");
    if (child === (this as Module))
      throw new Error(`${this.constructor.name}: a module cannot contain itself`);
    child.#training = this.#training;
    this.#children.set(name, child);
    return child;
  }

  #checkNewName(name: string, who: string) {
    if (!VALID_NAME.test(name)) {
      throw new Error(
        `${this.constructor.name}.${who}: name ${JSON.stringify(name)} must be letters, digits or _ (dots separate levels)`,
      );
    }
    if (this.#parameters.has(name) || this.#buffers.has(name) || this.#children.has(name)) {
      throw new Error(`${this.constructor.name}.${who}: "${name}" is already registered`);
    }
  }

  /** This module's own parameters, without those of children. */
  ownParameters(): [string, Tensor][] {
    return [...this.#parameters];
  }

  /** Direct children, by name. */
  children(): [string, Module][] {
    return [...this.#children];
  }

  /**
   * Every module in the tree, depth first in registration order, with dotted names; the
   * module itself comes first, named "" (as in PyTorch). A module reachable twice is listed once.
   */
  namedModules(): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const visit = (prefix: string, m: Module) => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([prefix, m]);
      for (const [name, child] of m.#children) visit(prefix ? `${prefix}.${name}` : name, child);
    };
    visit("", this);
    return out;
  }

  /**
   * Every parameter with its dotted name: each module's own parameters, then its children's,
   * depth first (PyTorch's order). A tensor registered twice (weight tying) is listed once,
   * under the first name met, so an optimizer updates it once.
   */
  namedParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, p] of m.#parameters) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([prefix ? `${prefix}.${name}` : name, p]);
      }
    }
    return out;
  }

  /** Every buffer (see `buffer`) with its dotted name, in the order of `namedParameters`. */
  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, b] of m.#buffers) out.push([prefix ? `${prefix}.${name}` : name, b]);
    }
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Number of trainable values (each shared tensor counted once). */
  parameterCount(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /** Forgets the gradients that `backward()` accumulated in `.grad`. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = undefined;
  }

  // ——— train / eval ———

  /** True in training mode (the default): dropout is active. */
  get training(): boolean {
    return this.#training;
  }

  /** Sets training mode on this module and every descendant. */
  train(mode = true): this {
    this.commitStaged();
    for (const [, m] of this.namedModules()) m.#training = mode;
    return this;
  }

  /** Evaluation mode: dropout is the identity. */
  eval(): this {
    return this.train(false);
  }

  // ——— state dict ———

  /**
   * A snapshot of every parameter's and buffer's current value by dotted name. The tensors are detached
   * copies (sharing the immutable buffer, not copying it): later updates to the model do not
   * change a state dict taken earlier.
   */
  stateDict(): Map<string, Tensor> {
    this.commitStaged();
    return new Map(
      [...this.namedParameters(), ...this.namedBuffers()].map(([name, p]) => [name, p.detach()]),
    );
  }

  /**
   * Sets parameters and buffers from a state dict. Everything is checked before anything changes, and
   * all problems are reported in one error: keys missing from the dict and keys the model
   * does not have (both only when `strict`), and shape or dtype mismatches (always).
   */
  loadStateDict(dict: StateDict, options: LoadStateDictOptions = {}): LoadStateDictResult {
    const strict = options.strict ?? true;
    const entries = new Map<string, Tensor>(dict instanceof Map ? dict : Object.entries(dict));
    const own = [...this.namedParameters(), ...this.namedBuffers()];
    const ownNames = new Set(own.map(([name]) => name));
    const missingKeys = own.map(([name]) => name).filter((name) => !entries.has(name));
    const unexpectedKeys = [...entries.keys()].filter((name) => !ownNames.has(name));
    const problems: string[] = [];
    if (strict && missingKeys.length) problems.push(`missing keys: ${missingKeys.join(", ")}`);
    if (strict && unexpectedKeys.length) problems.push(`unexpected keys: ${unexpectedKeys.join(", ")}`);
    for (const [name, p] of own) {
      const value = entries.get(name);
      if (value === undefined) continue;
      if (value.shape.join(",") !== p.shape.join(",")) {
        problems.push(`${name}: the dict has shape [${value.shape}], the model [${p.shape}]`);
      } else if (value.dtype !== p.dtype) {
        problems.push(`${name}: the dict has dtype ${value.dtype}, the model ${p.dtype}`);
      }
    }
    if (problems.length) {
      throw new Error(`loadStateDict (${this.constructor.name}): ${problems.join("; ")}`);
    }
    this.commitStaged();
    for (const [name, p] of own) {
      const value = entries.get(name);
      if (value !== undefined) p.assign(value);
    }
    return { missingKeys, unexpectedKeys };
  }

  /**
   * A table of every module (indented by depth): its name, type, the shapes of its own
   * parameters and the number of parameters in it and below it; then the total.
   */
  summary(): string {
    return formatSummary(this);
  }
}

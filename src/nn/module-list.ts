import { Module } from "./module.js";

/**
 * Holds modules under the names "0", "1", … without running them: for stacks that a parent
 * drives itself (a GPT passes each block its own cache), giving names like `blocks.0.attn`.
 */
export class ModuleList<M extends Module> extends Module {
  readonly items: readonly M[];

  constructor(modules: readonly M[]) {
    super();
    this.items = modules.map((m, i) => this.submodule(String(i), m));
  }

  get length(): number {
    return this.items.length;
  }

  at(index: number): M {
    const m = this.items[index];
    if (m === undefined) throw new Error(`ModuleList: no module at ${index} (length ${this.items.length})`);
    return m;
  }

  [Symbol.iterator](): Iterator<M> {
    return this.items[Symbol.iterator]();
  }
}

import { createRefTarget } from "./ref/ref-target.js";
import type { Target } from "./target.js";

export { createRefTarget } from "./ref/ref-target.js";
export type { Target } from "./target.js";

/** Targets by name. The compiler issue registers `wasm`, the native issue `native`. */
const targets = new Map<string, Target>([["ref", createRefTarget()]]);

export function registerTarget(target: Target): void {
  targets.set(target.name, target);
}

export function getTarget(name: string): Target {
  const t = targets.get(name);
  if (!t) throw new Error(`unknown target "${name}" (available: ${[...targets.keys()].join(", ")})`);
  return t;
}

/** The targets a user can choose; internal test targets are not listed. */
export function availableTargets(): Target[] {
  return [...targets.values()];
}

import { createRefTarget } from "./ref/ref-target.js";
import type { Target } from "./target.js";
import { createWasmTarget } from "./wasm/wasm-target.js";

export { createRefTarget } from "./ref/ref-target.js";
export type { Target } from "./target.js";
export { createWasmTarget } from "./wasm/wasm-target.js";

/** Targets by name; `native` and `webgpu` join when they land. */
const targets = new Map<string, Target>([
  ["ref", createRefTarget()],
  ["wasm", createWasmTarget()],
]);

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

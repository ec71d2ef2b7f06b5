import { nativeAvailability } from "./native/availability.js";
import { createNativeTarget } from "./native/native-target.js";
import { createRefTarget } from "./ref/ref-target.js";
import type { Target } from "./target.js";
import { createWasmTarget } from "./wasm/wasm-target.js";

export { createNativeTarget } from "./native/native-target.js";
export { createRefTarget } from "./ref/ref-target.js";
export type { Target } from "./target.js";
export { createWasmTarget } from "./wasm/wasm-target.js";

/** Targets by name; `native` joins where it works (see `withNative`), `webgpu` when it lands. */
const targets = new Map<string, Target>([
  ["ref", createRefTarget()],
  ["wasm", createWasmTarget()],
]);

/**
 * Registers `native` the first time targets are asked for, if a C compiler and the FFI
 * work here (checked once: importing infiniset starts no compiler).
 */
let nativeChecked = false;
function withNative(): void {
  if (nativeChecked) return;
  nativeChecked = true;
  if (!targets.has("native") && nativeAvailability().available) targets.set("native", createNativeTarget());
}

export function registerTarget(target: Target): void {
  targets.set(target.name, target);
}

export function getTarget(name: string): Target {
  if (name === "native") withNative();
  const t = targets.get(name);
  if (!t && name === "native")
    throw new Error(`the native target is not available here: ${nativeAvailability().reason}`);
  if (!t) throw new Error(`unknown target "${name}" (available: ${[...targets.keys()].join(", ")})`);
  return t;
}

/** The targets a user can choose; internal test targets are not listed. */
export function availableTargets(): Target[] {
  withNative();
  return [...targets.values()];
}

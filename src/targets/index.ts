import { nativeAvailability } from "./native/availability.js";
import { createNativeTarget } from "./native/native-target.js";
import { createRefTarget } from "./ref/ref-target.js";
import type { Target } from "./target.js";
import { createWasmTarget } from "./wasm/wasm-target.js";
import { openedWebgpu, openWebgpuSync } from "./webgpu/open-webgpu.js";

export { createNativeTarget } from "./native/native-target.js";
export { createRefTarget } from "./ref/ref-target.js";
export type { Target } from "./target.js";
export { createWasmTarget } from "./wasm/wasm-target.js";
export { initWebgpu } from "./webgpu/open-webgpu.js";

/**
 * Targets by name; `native` joins where it works (see `withNative`), `webgpu` once it has
 * been asked for and a GPU adapter answered (no GPU is probed otherwise).
 */
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
  if (name === "webgpu" && !targets.has("webgpu")) {
    try {
      targets.set("webgpu", openWebgpuSync());
    } catch (error) {
      throw new Error(`the webgpu target is not available here: ${(error as Error).message}`);
    }
  }
  const t = targets.get(name);
  if (!t && name === "native")
    throw new Error(`the native target is not available here: ${nativeAvailability().reason}`);
  if (!t) throw new Error(`unknown target "${name}" (available: ${[...targets.keys()].join(", ")})`);
  return t;
}

/** The targets a user can choose; internal test targets are not listed. */
export function availableTargets(): Target[] {
  withNative();
  // A GPU is probed only when asked for (INFINISET_TARGET=webgpu, or getTarget earlier).
  if (!targets.has("webgpu") && globalThis.process?.env.INFINISET_TARGET === "webgpu") {
    try {
      getTarget("webgpu");
    } catch {
      // said by defaultTarget's warning
    }
  }
  const webgpu = openedWebgpu();
  if (webgpu && !targets.has("webgpu")) targets.set("webgpu", webgpu);
  return [...targets.values()];
}

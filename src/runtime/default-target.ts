import { availableTargets, getTarget, type Target } from "../targets/index.js";

/**
 * The target realisations run on: `INFINISET_TARGET` (ref, wasm, native or webgpu) if set, else
 * the best available: `native` where a C compiler and the FFI work, else `wasm` (`ref` is
 * the oracle and the fallback for debugging). Asking for `native` where it cannot work
 * gives `wasm` with a warning, not an error; asking for `webgpu` where no GPU adapter answers
 * gives the CPU target with a warning.
 */
let current: Target | undefined;

function cpuTarget(): Target {
  return availableTargets().find((t) => t.name === "native") ?? getTarget("wasm");
}

function chooseTarget(): Target {
  const requested = globalThis.process?.env.INFINISET_TARGET;
  if (!requested) return cpuTarget();
  if (requested === "webgpu") {
    try {
      return getTarget("webgpu");
    } catch (error) {
      const cpu = cpuTarget();
      process.emitWarning(`INFINISET_TARGET=webgpu: ${(error as Error).message}; running on ${cpu.name}`, {
        code: "INFINISET_WEBGPU_UNAVAILABLE",
      });
      return cpu;
    }
  }
  if (requested === "native") {
    try {
      return getTarget("native");
    } catch (error) {
      process.emitWarning(`INFINISET_TARGET=native: ${(error as Error).message}; running on wasm`, {
        code: "INFINISET_NATIVE_UNAVAILABLE",
      });
      return getTarget("wasm");
    }
  }
  return getTarget(requested);
}

export function defaultTarget(): Target {
  current ??= chooseTarget();
  return current;
}

export function setDefaultTarget(target: string | Target): void {
  current = typeof target === "string" ? getTarget(target) : target;
}

/** Runs `fn` with another default target, restoring the previous one afterwards. */
export function withTarget<T>(target: string | Target, fn: () => T): T {
  const before = defaultTarget();
  setDefaultTarget(target);
  try {
    return fn();
  } finally {
    current = before;
  }
}

import { getTarget, type Target } from "../targets/index.js";

/**
 * The target realisations run on: `INFINISET_TARGET` if set, else the best available
 * (`wasm`; `ref` is the oracle and the fallback for debugging).
 */
let current: Target | undefined;

export function defaultTarget(): Target {
  current ??= getTarget(process.env.INFINISET_TARGET ?? "wasm");
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

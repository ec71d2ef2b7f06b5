import { availableTargets, getTarget, type Target } from "../../src/targets/index.js";

/**
 * The targets the differential tests run on: every available one (and `extra` test
 * targets); in the webgpu pass (INFINISET_TARGET=webgpu, see test/webgpu-pass.sh) only the
 * webgpu target, since the CPU targets have their own passes.
 */
export function targetsUnderTest(extra: () => Target[] = () => []): Target[] {
  const all = availableTargets();
  const webgpu = all.find((t) => t.name === "webgpu");
  if (process.env.INFINISET_TARGET === "webgpu" && webgpu) return [webgpu];
  return [...all, ...extra()];
}

/** The webgpu target, or why the tests that need it are skipped. */
export function webgpuTarget(): { target: Target; skip: false } | { target: undefined; skip: string } {
  try {
    return { target: getTarget("webgpu"), skip: false };
  } catch (error) {
    return { target: undefined, skip: (error as Error).message };
  }
}

// How long a fresh process takes to compute a first result on the native target: with an
// empty kernel cache (every kernel compiled, the matmul tuned), then again with the cache
// the first run left (the figure that matters for every run after the first).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

const SCRIPT = `
  const { getTarget, randn, withTarget } = await import(process.env.INFINISET_DIST);
  withTarget(getTarget("native"), () => {
    const x = randn([64, 256], { seed: 1 });
    const w = randn([256, 256], { seed: 2 });
    x.matmul(w).gelu().matmul(w).softmax().sum(1).dataSync();
  });
`;

/** Milliseconds from starting `node` to its exit, for the cold and the warm cache. */
export function nativeStartupMs(dist: string): { coldMs: number; warmMs: number } {
  const cacheRoot = mkdtempSync(join(tmpdir(), "infiniset-bench-cache-"));
  const run = () => {
    const t0 = performance.now();
    execFileSync(process.execPath, ["--input-type=module", "-e", SCRIPT], {
      env: { ...process.env, INFINISET_DIST: dist, INFINISET_CACHE_DIR: cacheRoot },
      stdio: ["ignore", "ignore", "inherit"],
    });
    return performance.now() - t0;
  };
  try {
    const coldMs = run();
    const warmMs = run();
    return { coldMs, warmMs };
  } finally {
    rmSync(cacheRoot, { recursive: true, force: true });
  }
}

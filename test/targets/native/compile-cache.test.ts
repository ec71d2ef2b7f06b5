import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { nativeAvailability } from "../../../src/targets/native/availability.js";

/**
 * Compiled kernels outlive the process: a second process that builds the same programs
 * compiles nothing, it loads the libraries the first one left in the cache folder.
 */
const skip = nativeAvailability().available
  ? false
  : `native target unavailable: ${nativeAvailability().reason}`;

function runChild(cacheDir: string) {
  const dist = new URL("../../../", import.meta.url).href;
  const script = `
    const { getTarget, randn, withTarget } = await import(${JSON.stringify(`${dist}src/index.js`)});
    const { nativeCompileStats } = await import(${JSON.stringify(`${dist}src/targets/native/native-toolchain.js`)});
    const values = withTarget(getTarget("native"), () => {
      const x = randn([20, 30], { seed: 4 });
      return Array.from(x.softmax().sub(x.mean(0, true)).tanh().sum(1).dataSync());
    });
    console.log(JSON.stringify({ stats: nativeCompileStats(), values }));
  `;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    env: { ...process.env, INFINISET_CACHE_DIR: cacheDir },
    encoding: "utf8",
  });
  return JSON.parse(out) as { stats: { compiled: number; fromDisk: number }; values: number[] };
}

test("a second process finds every kernel in the cache and compiles none", { skip }, () => {
  const cacheDir = mkdtempSync(join(tmpdir(), "infiniset-native-cache-"));
  const first = runChild(cacheDir);
  assert.ok(first.stats.compiled > 0, `the first run compiled nothing: ${JSON.stringify(first.stats)}`);
  const libraries = readdirSync(join(cacheDir, "native")).filter((f) => f.endsWith(".so"));
  assert.equal(libraries.length, first.stats.compiled);
  const second = runChild(cacheDir);
  assert.equal(second.stats.compiled, 0, `the second run compiled: ${JSON.stringify(second.stats)}`);
  assert.equal(second.stats.fromDisk, first.stats.compiled);
  assert.deepEqual(second.values, first.values);
});

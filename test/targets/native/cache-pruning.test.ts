import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pruneCache } from "../../../src/targets/native/cache-pruning.js";

test("past the limit, the least recently used libraries and their sources go", () => {
  const dir = mkdtempSync(join(tmpdir(), "infiniset-prune-"));
  for (let i = 0; i < 10; i++) {
    for (const ext of [".so", ".c"]) writeFileSync(join(dir, `k${i}${ext}`), "x");
    // k0 was used longest ago, k9 last
    const when = new Date(Date.UTC(2026, 0, 1, 0, i));
    utimesSync(join(dir, `k${i}.so`), when, when);
  }
  writeFileSync(join(dir, "matmul-tuning-x-v2.json"), "{}");
  assert.equal(pruneCache(dir, 20), 0);
  assert.equal(pruneCache(dir, 8), 4);
  const left = readdirSync(dir).sort();
  assert.deepEqual(left, [
    ...["k4", "k5", "k6", "k7", "k8", "k9"].flatMap((k) => [`${k}.c`, `${k}.so`]),
    "matmul-tuning-x-v2.json",
  ]);
});

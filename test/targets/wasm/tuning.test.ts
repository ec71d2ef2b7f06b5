import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ROW_CANDIDATES } from "../../../src/targets/wasm/matmul-tuning.js";
import { createWasmTarget } from "../../../src/targets/wasm/wasm-target.js";

test("the matmul block height is measured once, saved, and read back by the next target", () => {
  const dir = mkdtempSync(join(tmpdir(), "infiniset-tuning-"));
  const before = process.env.INFINISET_CACHE_DIR;
  process.env.INFINISET_CACHE_DIR = dir;
  try {
    const first = createWasmTarget({ name: "tuning-1", threads: 1 }).matmulTuning();
    assert.equal(first.fromCache, false);
    assert.deepEqual(Object.keys(first.measured).map(Number), [...ROW_CANDIDATES]);
    assert.ok(Object.values(first.measured).every((gflops) => gflops > 0));
    const file = join(dir, "wasm-matmul.json");
    assert.ok(existsSync(file));
    assert.ok(Object.values(JSON.parse(readFileSync(file, "utf8"))).includes(first.rows));
    const second = createWasmTarget({ name: "tuning-2", threads: 1 }).matmulTuning();
    assert.equal(second.fromCache, true);
    assert.equal(second.rows, first.rows);
  } finally {
    if (before === undefined) delete process.env.INFINISET_CACHE_DIR;
    else process.env.INFINISET_CACHE_DIR = before;
  }
});

import assert from "node:assert/strict";
import { test } from "node:test";
import {
  compileCount,
  crossEntropy,
  full,
  programCacheStats,
  randn,
  setProgramCacheLimits,
  tensor,
  where,
} from "../../src/index.js";

test("a loop that builds the same graph every iteration compiles once", () => {
  const w = randn([4, 3], { seed: 1 }).requiresGrad_();
  const targets = tensor([0, 2], { dtype: "int32" });
  let before = 0;
  const losses: number[] = [];
  for (let step = 0; step < 5; step++) {
    const x = randn([2, 4], { seed: 100 + step });
    const loss = crossEntropy(x.matmul(w), targets);
    losses.push(loss.item());
    loss.backward();
    w.grad = undefined;
    if (step === 0) before = compileCount();
  }
  // Step 0 compiles the forward and the backward program; the other four reuse both.
  assert.equal(compileCount(), before);
  assert.equal(new Set(losses).size, 5, "different inputs gave different losses");
});

test("a different structure compiles a new program", () => {
  const x = tensor([1, 2, 3]);
  x.exp().dataSync();
  const n = compileCount();
  x.exp().dataSync();
  assert.equal(compileCount(), n);
  x.exp().add(1).dataSync();
  assert.equal(compileCount(), n + 1);
  tensor([1, 2, 3, 4]).exp().dataSync();
  assert.equal(compileCount(), n + 2, "a new shape is a new program");
});

test("constants that JSON cannot tell apart (±Infinity, NaN, −0) get their own programs", () => {
  const mask = tensor([true, false]);
  const x = tensor([1, 2]);
  assert.deepEqual(Array.from(where(mask, x, Number.NEGATIVE_INFINITY).dataSync()), [
    1,
    Number.NEGATIVE_INFINITY,
  ]);
  assert.deepEqual(Array.from(where(mask, x, Number.POSITIVE_INFINITY).dataSync()), [
    1,
    Number.POSITIVE_INFINITY,
  ]);
  assert.ok(Number.isNaN(where(mask, x, Number.NaN).dataSync()[1]!));
  assert.ok(Object.is(full([1], -0).recip().dataSync()[0], Number.NEGATIVE_INFINITY));
  assert.ok(Object.is(full([1], 0).recip().dataSync()[0], Number.POSITIVE_INFINITY));
});

test("compiling many distinct shapes keeps the program cache under its bounds, oldest out first", () => {
  const limits = programCacheStats().limits;
  try {
    setProgramCacheLimits({ programs: 8 });
    for (let n = 1; n <= 40; n++) tensor(new Array(n).fill(1)).exp().dataSync();
    const stats = programCacheStats();
    assert.equal(stats.programs, 8);
    assert.ok(stats.evictions >= 32, `${stats.evictions} evictions`);
    // The newest shape is still cached; the first one was evicted and compiles again.
    const n = compileCount();
    tensor(new Array(40).fill(1)).exp().dataSync();
    assert.equal(compileCount(), n);
    tensor([1]).exp().dataSync();
    assert.equal(compileCount(), n + 1);

    setProgramCacheLimits({ programs: 1000, bytes: 20_000 });
    for (let n = 1; n <= 40; n++) tensor(new Array(n).fill(2)).exp().add(1).dataSync();
    assert.ok(programCacheStats().bytes <= 20_000, `${programCacheStats().bytes} bytes`);
    assert.ok(programCacheStats().programs < 40);
    assert.throws(() => setProgramCacheLimits({ programs: 0 }), /programs must be a positive integer/);
  } finally {
    setProgramCacheLimits(limits);
  }
});

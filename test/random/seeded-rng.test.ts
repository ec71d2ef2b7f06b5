import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRng } from "../../src/random/seeded-rng.js";

function draws(rng: SeededRng, n: number): number[] {
  return Array.from({ length: n }, () => rng.nextUint32());
}

test("xoshiro128** matches the published reference outputs for state [1, 2, 3, 4]", () => {
  // From the reference implementation xoshiro128starstar.c (also rand_xoshiro's test vector).
  const rng = SeededRng.fromState({ algorithm: "xoshiro128**", words: [1, 2, 3, 4] });
  assert.deepEqual(
    draws(rng, 10),
    [11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804],
  );
});

test("the same seed gives the same sequence, different seeds differ", () => {
  assert.deepEqual(draws(new SeededRng(42), 20), draws(new SeededRng(42), 20));
  assert.notDeepEqual(draws(new SeededRng(42), 20), draws(new SeededRng(43), 20));
  assert.notDeepEqual(draws(new SeededRng(-1), 20), draws(new SeededRng(2 ** 53), 20));
});

test("state survives a JSON round trip and continues the same sequence", () => {
  const rng = new SeededRng(7);
  draws(rng, 5);
  const saved = JSON.parse(JSON.stringify(rng.state()));
  const expected = [rng.nextUint32(), rng.nextFloat(), rng.nextInt(1000)];
  const restored = SeededRng.fromState(saved);
  assert.deepEqual([restored.nextUint32(), restored.nextFloat(), restored.nextInt(1000)], expected);
});

test("nextFloat stays in [0, 1) and averages about one half", () => {
  const rng = new SeededRng(1);
  let sum = 0;
  for (let i = 0; i < 20000; i++) {
    const u = rng.nextFloat();
    assert.ok(u >= 0 && u < 1);
    sum += u;
  }
  assert.ok(Math.abs(sum / 20000 - 0.5) < 0.01);
});

test("nextInt covers [0, n) evenly", () => {
  const rng = new SeededRng(3);
  const n = 6;
  const trials = 60000;
  const counts = new Array<number>(n).fill(0);
  for (let i = 0; i < trials; i++) counts[rng.nextInt(n)]!++;
  const expected = trials / n;
  const chiSquare = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
  // 5 degrees of freedom: 20.5 is the 0.999 quantile.
  assert.ok(chiSquare < 20.5, `chi-square ${chiSquare}`);
  assert.equal(rng.nextInt(1), 0);
  const big = rng.nextInt(2 ** 32);
  assert.ok(Number.isInteger(big) && big >= 0 && big < 2 ** 32);
});

test("invalid seeds, bounds and states are rejected with clear errors", () => {
  for (const seed of [Number.NaN, Number.POSITIVE_INFINITY, 1.5, "1" as unknown as number]) {
    assert.throws(() => new SeededRng(seed), /seed must be a finite integer/);
  }
  const rng = new SeededRng(0);
  for (const n of [0, -1, 2.5, 2 ** 32 + 1]) assert.throws(() => rng.nextInt(n), /n must be an integer/);
  assert.throws(() => SeededRng.fromState({ algorithm: "xoshiro128**", words: [0, 0, 0, 0] }), /all-zero/);
  assert.throws(
    () => SeededRng.fromState({ algorithm: "xoshiro128**", words: [1, 2, 3, -4] }),
    /unsigned 32-bit integers/,
  );
  assert.throws(() => SeededRng.fromState({ algorithm: "pcg" } as never), /xoshiro128\*\*/);
});

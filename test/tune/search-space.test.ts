import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { ConfigError } from "../../src/tune/config-error.js";
import {
  gridPoint,
  gridSize,
  gridValues,
  parseSearchSpace,
  sampleParams,
} from "../../src/tune/search-space.js";

test("draws stay in their ranges, integers are integers, and a trial's draw depends only on (seed, trial)", () => {
  const space = parseSearchSpace({
    lr: { type: "log-uniform", low: 1e-5, high: 1e-1 },
    dropout: { type: "uniform", low: 0, high: 0.5 },
    layers: { type: "integer", low: 1, high: 6 },
    width: { type: "integer", low: 16, high: 512, log: true },
    act: ["gelu", "relu"],
  });
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 10_000 }), (seed, trial) => {
      const p = sampleParams(space, seed, trial);
      assert.ok((p.lr as number) >= 1e-5 && (p.lr as number) <= 1e-1);
      assert.ok((p.dropout as number) >= 0 && (p.dropout as number) < 0.5);
      assert.ok(Number.isInteger(p.layers) && (p.layers as number) >= 1 && (p.layers as number) <= 6);
      assert.ok(Number.isInteger(p.width) && (p.width as number) >= 16 && (p.width as number) <= 512);
      assert.ok(p.act === "gelu" || p.act === "relu");
      assert.deepEqual(sampleParams(space, seed, trial), p);
    }),
  );
  assert.notDeepEqual(sampleParams(space, 0, 1), sampleParams(space, 0, 2));
});

test("a log-uniform draw is uniform in the logarithm: about half the draws fall below the geometric mean", () => {
  const space = parseSearchSpace({ lr: { type: "log-uniform", low: 1e-4, high: 1 } });
  let below = 0;
  for (let trial = 0; trial < 2000; trial++) if ((sampleParams(space, 7, trial).lr as number) < 1e-2) below++;
  assert.ok(below > 900 && below < 1100, `${below} of 2000 below 1e-2`);
});

test("grid points: choices as given, ranges evenly spaced (log-spaced on a log scale), the last setting fastest", () => {
  const space = parseSearchSpace({
    lr: { type: "log-uniform", low: 1e-4, high: 1e-2, grid: 3 },
    width: [32, 64],
  });
  assert.deepEqual(gridValues(space.lr!, "space.lr"), [1e-4, 1e-3, 1e-2]);
  assert.equal(gridSize(space), 6);
  assert.deepEqual(
    Array.from({ length: 6 }, (_, i) => gridPoint(space, i)),
    [
      { lr: 1e-4, width: 32 },
      { lr: 1e-4, width: 64 },
      { lr: 1e-3, width: 32 },
      { lr: 1e-3, width: 64 },
      { lr: 1e-2, width: 32 },
      { lr: 1e-2, width: 64 },
    ],
  );
  assert.deepEqual(
    gridValues(parseSearchSpace({ n: { type: "integer", low: 2, high: 5 } }).n!, "n"),
    [2, 3, 4, 5],
  );
});

test("bad specs are errors that name where they are", () => {
  const cases: [unknown, RegExp][] = [
    [{ lr: { type: "uniform", low: 1, high: 0 } }, /^space\.lr low \(1\) must be less than high \(0\)/],
    [{ lr: { type: "log-uniform", low: 0, high: 1 } }, /^space\.lr\.low must be > 0 on a log scale/],
    [
      { lr: { type: "normal", low: 0, high: 1 } },
      /^space\.lr\.type must be one of choice, uniform, log-uniform, integer/,
    ],
    [{ lr: [] }, /^space\.lr\.values must be a non-empty list/],
    [{ n: { type: "integer", low: 1.5, high: 3 } }, /^space\.n an integer range needs integer bounds/],
    [
      { lr: { type: "uniform", low: 0, high: 1, step: 2 } },
      /^space\.lr\.step is not a field of a uniform range/,
    ],
    [{}, /^space must be an object naming at least one setting/],
  ];
  for (const [value, message] of cases) {
    assert.throws(
      () => parseSearchSpace(value),
      (error: Error) => error instanceof ConfigError && message.test(error.message),
    );
  }
  const continuous = parseSearchSpace({ lr: { type: "uniform", low: 0, high: 1 } });
  assert.throws(() => gridSize(continuous), /space\.lr a grid search needs "grid": N/);
});

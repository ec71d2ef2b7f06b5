import assert from "node:assert/strict";
import { test } from "node:test";
import { niceTicks } from "../../src/plot/svg-chart.js";
import { renderLossCurveSvg } from "../../src/train/plot-svg.js";
import type { TrainingLogRecord } from "../../src/train/training-log.js";

const records: TrainingLogRecord[] = [
  { type: "eval", iter: 0, trainLoss: 4.2, valLoss: 4.25, tokensPerSec: 0, elapsedMs: 0 },
  ...Array.from(
    { length: 20 },
    (_, i): TrainingLogRecord => ({
      type: "step",
      iter: i + 1,
      loss: 4 - i * 0.1,
      tokensPerSec: 1000,
      elapsedMs: i * 10,
    }),
  ),
  { type: "eval", iter: 10, trainLoss: 3.1, valLoss: 3.2, tokensPerSec: 1000, elapsedMs: 100 },
  { type: "eval", iter: 20, trainLoss: 2.2, valLoss: 2.4, tokensPerSec: 1000, elapsedMs: 200 },
];

test("the SVG is one well-formed document with both curves, axes and labels", () => {
  const svg = renderLossCurveSvg(records, { title: "baby <GPT> & Moby Dick" });
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="720" height="420"/);
  assert.match(svg, /<\/svg>\n$/);
  // Every tag is closed or self-closing, and they nest.
  const stack: string[] = [];
  for (const [, closing, name, selfClosing] of svg.matchAll(/<(\/?)([a-z]+)[^>]*?(\/?)>/g)) {
    if (closing) assert.equal(stack.pop(), name);
    else if (!selfClosing) stack.push(name!);
  }
  assert.deepEqual(stack, []);
  const polylines = [...svg.matchAll(/<polyline points="([^"]+)"/g)].map((m) => m[1]!.split(" ").length);
  // The axes, 20 training points, 3 validation points.
  assert.deepEqual(polylines, [3, 20, 3]);
  assert.match(svg, />training loss \(per step\)</);
  assert.match(svg, />validation loss</);
  assert.match(svg, />iteration</);
  assert.match(svg, /baby &#60;GPT&#62; &#38; Moby Dick/);
  for (const [, x, y] of svg.matchAll(/(?:x|cx)="(-?[\d.]+)"[^>]*?(?:y|cy)="(-?[\d.]+)"/g)) {
    assert.ok(Number(x) >= 0 && Number(x) <= 720 && Number(y) >= 0 && Number(y) <= 420, `${x},${y}`);
  }
});

test("non-finite losses are left out; a log with none to plot is an error", () => {
  const svg = renderLossCurveSvg([
    { type: "step", iter: 1, loss: 3, tokensPerSec: 1, elapsedMs: 1 },
    { type: "step", iter: 2, loss: Number.NaN, tokensPerSec: 1, elapsedMs: 1 },
    { type: "eval", iter: 2, trainLoss: 3, valLoss: 3.5, tokensPerSec: 1, elapsedMs: 1 },
  ]);
  assert.doesNotMatch(svg, /NaN/);
  assert.match(svg, /<circle /);
  assert.throws(
    () => renderLossCurveSvg([{ type: "stop", iter: 0, reason: "x" }]),
    /no finite losses to plot/,
  );
});

test("ticks are round numbers inside the range", () => {
  assert.deepEqual(niceTicks(0, 2000, 6), [0, 500, 1000, 1500, 2000]);
  assert.deepEqual(niceTicks(1.83, 4.21, 5), [2, 2.5, 3, 3.5, 4]);
  assert.deepEqual(niceTicks(0.1, 0.35, 5), [0.1, 0.15, 0.2, 0.25, 0.3, 0.35]);
  assert.deepEqual(niceTicks(3, 3), [3]);
});

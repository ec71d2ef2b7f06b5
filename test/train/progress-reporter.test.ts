import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { Adam } from "../../src/optim/adam.js";
import { fit } from "../../src/train/fit.js";
import { jsonReporter } from "../../src/train/json-reporter.js";
import { progressReporter } from "../../src/train/progress-reporter.js";
import { tinyDataset } from "./fixtures.js";
import { TinyBigram } from "./tiny-bigram.js";

const data = tinyDataset();

/** A stream that keeps what is written, posing as a terminal or not. */
function captureStream(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const writable = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  Object.assign(writable, { isTTY, columns: 120 });
  return { stream: writable as unknown as NodeJS.WriteStream, text: () => chunks.join("") };
}

function train(callbacks: Parameters<typeof fit>[2]["callbacks"], iterations = 10) {
  const model = new TinyBigram({ vocabSize: data.tokenizer.vocabSize });
  return fit(model, data, {
    optimizer: new Adam(model.parameters(), { lr: 0.1 }),
    batchSize: 2,
    blockSize: 8,
    iterations,
    evalInterval: 5,
    evalBatches: 1,
    callbacks,
  });
}

test("off a terminal: a step line every few steps, each evaluation, and how it ended", () => {
  const { stream, text } = captureStream(false);
  train([progressReporter({ stream, every: 4 })]);
  const lines = text().trimEnd().split("\n");
  assert.equal(lines.length, 7, text());
  assert.match(lines[0]!, /^iter 0\/10 {2}train loss \d\.\d{4} {2}val loss \d\.\d{4} {2}elapsed \d+s$/);
  assert.match(lines[1]!, /^iter 4\/10 {2}loss \d\.\d{4} {2}\d+ tok\/s {2}ETA \d+s$/);
  assert.match(lines[2]!, /^iter 5\/10 {2}train loss/);
  assert.match(lines[3]!, /^iter 8\/10 {2}loss/);
  assert.match(lines[4]!, /^iter 10\/10 {2}loss/);
  assert.match(lines[5]!, /^iter 10\/10 {2}train loss/);
  assert.match(lines[6]!, /^training done: 10 iterations, validation loss \d\.\d{4}$/);
});

test("on a terminal: a redrawn bar with loss, tokens/s and ETA, evaluations printed above it", () => {
  const { stream, text } = captureStream(true);
  train([progressReporter({ stream })]);
  const output = text();
  // The terminal's own settings are not touched: no hidden cursor, no line-wrap changes.
  for (const code of ["?25l", "?25h", "?7l", "?7h"]) assert.ok(!output.includes(`\u001b[${code}`), code);
  assert.match(output, / 10\/10 \| loss \d\.\d{4} \| val \d\.\d{4} \| \d+ tok\/s \| ETA \d+s/);
  assert.match(output, /iter 5: train loss \d\.\d{4}, val loss \d\.\d{4}\n/);
  assert.match(output, /training done: 10 iterations, validation loss \d\.\d{4}\n$/);
});

test("an error in training stops the bar", () => {
  const { stream, text } = captureStream(true);
  const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
  const before = timers();
  const failing = { onStep: (step: { iter: number }) => assert.notEqual(step.iter, 3, "step 3 fails") };
  assert.throws(() => train([progressReporter({ stream }), failing]), /step 3 fails/);
  // The bar's redraw timer is gone (it would keep the process alive) and its line ended.
  assert.equal(timers(), before);
  assert.match(text(), / 3\/10 \| loss [^\n]*\n$/);
});

test("--json: one object per evaluation with the promised fields", () => {
  const lines: string[] = [];
  train([jsonReporter((line) => lines.push(line))]);
  assert.deepEqual(
    lines.map((line) => JSON.parse(line).iter),
    [0, 5, 10],
  );
  for (const line of lines) {
    assert.ok(line.endsWith("\n"));
    assert.deepEqual(Object.keys(JSON.parse(line)), [
      "iter",
      "trainLoss",
      "valLoss",
      "tokensPerSec",
      "elapsedMs",
    ]);
  }
});

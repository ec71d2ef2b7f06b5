// train cvae → draw and eval: a tiny generator trained for one epoch (this checks the commands,
// not the drawings' quality: test/models/vision/digit-generator.test.ts does that), resumed
// for a second, then drawn into PNG grids and judged by a CNN trained for one step; bad words
// are one error line.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { loadMnist } from "../../src/data/mnist.js";
import { readPng } from "../../src/formats/png.js";
import { selectImages } from "../../src/image/images.js";
import { IMAGE_CLASSIFIER_DEFAULTS, trainImageClassifier } from "../../src/vision/train-image-classifier.js";
import { runCli } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "infiniset-draw-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const run = join(dir, "cvae");
const tiny = [
  "--data",
  "mnist",
  "--hidden",
  "8",
  "--embd",
  "2",
  "--batch-size",
  "1000",
  "--out",
  run,
  "--json",
];

// The judge: a tiny CNN trained for one step on 64 digits.
const judge = join(dir, "judge");
const some = selectImages(
  loadMnist(),
  Array.from({ length: 64 }, (_, i) => i * 150),
);
trainImageClassifier(
  { train: some, test: some },
  { ...IMAGE_CLASSIFIER_DEFAULTS, epochs: 1, convChannels: [2], hidden: 8, augment: "" },
  { out: judge, dataName: "mnist" },
);

describe("train cvae, then draw digits from their names", () => {
  it("trains one epoch, resumes for a second, and draws grids of the right size", async () => {
    const first = await runCli(["train", "cvae", ...tiny, "--epochs", "1"]);
    assert.equal(first.code, 0, first.stderr);
    const lines = first.stdout.trim().split("\n");
    assert.match(lines[0]!, /8000 training and 2000 held-out digits/);
    assert.equal(JSON.parse(lines[1]!).epoch, 1);
    const resumed = await runCli(["train", "cvae", ...tiny, "--epochs", "2", "--resume"]);
    assert.equal(resumed.code, 0, resumed.stderr);
    const epochs = resumed.stdout
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => JSON.parse(l).epoch);
    assert.deepEqual(epochs, [2]);

    const out = join(dir, "seven.png");
    const seven = ["draw", "--text", "seven", "--count", "3", "--out", out, "--checkpoint", run];
    const drawn = await runCli([...seven, "--judge", judge]);
    assert.equal(drawn.code, 0, drawn.stderr);
    assert.match(
      drawn.stdout,
      /^wrote .*seven\.png \(176×60\): 3 drawings of "seven"\njudge: [0-3]\/3 drawings of "seven" classified as 7 \(sees \d \d \d\)\n$/,
    );
    // Three 28×28 tiles at 2× with 2-pixel gaps.
    const png = readPng(out);
    assert.deepEqual([png.width, png.height], [3 * 58 + 2, 58 + 2]);
    // Two words: a row each.
    const two = await runCli(["draw", "--text", "3 one", "--count", "2", "--out", out, "--checkpoint", run]);
    assert.equal(two.code, 0, two.stderr);
    assert.deepEqual([readPng(out).width, readPng(out).height], [2 * 58 + 2, 2 * 58 + 2]);
  });

  it("eval prints the held-out loss and, with --judge, the share of drawings recognised and their variety", async () => {
    const { code, stdout, stderr } = await runCli([
      "eval",
      "--checkpoint",
      run,
      "--judge",
      judge,
      "--temperature",
      "0.5",
      "--json",
    ]);
    assert.equal(code, 0, stderr);
    const scores = JSON.parse(stdout);
    assert.ok(scores.heldOutLoss > 0);
    assert.equal(scores.drawings, 1000);
    assert.equal(scores.temperature, 0.5);
    assert.ok(scores.recognised >= 0 && scores.recognised <= 1);
    const digits = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
    assert.deepEqual(Object.keys(scores.perDigit), digits);
    assert.deepEqual(Object.keys(scores.variety), digits);
    assert.ok(Object.values(scores.variety).every((v) => typeof v === "number" && v >= 0));
  });

  it("a word that is not a digit's name is one clear error line", async () => {
    const { code, stdout, stderr } = await runCli([
      "draw",
      "--text",
      "eleven",
      "--out",
      join(dir, "x.png"),
      "--checkpoint",
      run,
    ]);
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.equal(
      stderr,
      'infiniset: error: --text: "eleven" is not a word this model draws; use zero, one, two, three, four, five, six, seven, eight, nine (or 0 to 9)\n',
    );
  });
});

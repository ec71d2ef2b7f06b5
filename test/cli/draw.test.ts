// train cvae → draw: a tiny generator trained for one epoch (this checks the commands, not the
// drawings' quality: test/models/vision/digit-generator.test.ts does that), resumed for a
// second, then drawn into PNG grids; bad words are one error line.
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

describe("train cvae, then draw digits from their names", () => {
  it("trains one epoch, resumes for a second, and draws a grid of the right size", async () => {
    const first = await runCli(["train", "cvae", ...tiny, "--epochs", "1"]);
    assert.equal(first.code, 0, first.stderr);
    const lines = first.stdout.trim().split("\n");
    assert.match(lines[0]!, /8000 training and 2000 held-out digits/);
    assert.equal(JSON.parse(lines[1]!).epoch, 1);
    const resumed = await runCli(["train", "cvae", ...tiny, "--epochs", "2", "--resume"]);
    assert.equal(resumed.code, 0, resumed.stderr);
    const records = resumed.stdout
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      records.map((r) => r.epoch),
      [2],
    );

    const out = join(dir, "seven.png");
    const drawn = await runCli([
      "draw",
      "--text",
      "seven",
      "--count",
      "3",
      "--out",
      out,
      "--checkpoint",
      run,
    ]);
    assert.equal(drawn.code, 0, drawn.stderr);
    assert.match(drawn.stdout, /wrote .*seven\.png \(176×60\): 3 drawings of "seven"/);
    // Three 28×28 tiles at 2× with 2-pixel gaps.
    const png = readPng(out);
    assert.deepEqual([png.width, png.height], [3 * 58 + 2, 58 + 2]);

    const two = await runCli(["draw", "--text", "3 one", "--count", "2", "--out", out, "--checkpoint", run]);
    assert.equal(two.code, 0, two.stderr);
    assert.deepEqual([readPng(out).width, readPng(out).height], [2 * 58 + 2, 2 * 58 + 2]);
  });

  it("eval prints the held-out loss and, with --judge, what share of the drawings a CNN recognises", async () => {
    // A judge trained for one step: this checks the plumbing, not the figure.
    const digits = loadMnist();
    const some = selectImages(
      digits,
      Array.from({ length: 64 }, (_, i) => i * 150),
    );
    const judge = join(dir, "judge");
    trainImageClassifier(
      { train: some, test: some },
      { ...IMAGE_CLASSIFIER_DEFAULTS, epochs: 1, convChannels: [2], hidden: 8, augment: "" },
      { out: judge, dataName: "mnist" },
    );
    const { code, stdout, stderr } = await runCli(["eval", "--checkpoint", run, "--judge", judge, "--json"]);
    assert.equal(code, 0, stderr);
    const scores = JSON.parse(stdout);
    assert.ok(scores.heldOutLoss > 0);
    assert.equal(scores.drawings, 1000);
    assert.ok(scores.recognised >= 0 && scores.recognised <= 1);
    assert.deepEqual(Object.keys(scores.variety), Object.keys(scores.perDigit));
    assert.ok(Object.values(scores.variety).every((v) => typeof v === "number" && v >= 0));
    assert.deepEqual(Object.keys(scores.perDigit), [
      "zero",
      "one",
      "two",
      "three",
      "four",
      "five",
      "six",
      "seven",
      "eight",
      "nine",
    ]);
    const drawn = await runCli([
      "draw",
      "--text",
      "7",
      "--count",
      "2",
      "--out",
      join(dir, "7.png"),
      "--checkpoint",
      run,
      "--judge",
      judge,
    ]);
    assert.equal(drawn.code, 0, drawn.stderr);
    assert.match(drawn.stdout, /\njudge: [0-2]\/2 drawings of "seven" classified as 7 \(sees \d \d\)\n$/);
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

  it("a missing generator says so in one line", async () => {
    const { code, stderr } = await runCli([
      "draw",
      "--text",
      "7",
      "--out",
      join(dir, "x.png"),
      "--checkpoint",
      dir,
    ]);
    assert.equal(code, 1);
    assert.equal(stderr.trim().split("\n").length, 1);
    assert.match(stderr, /no infiniset vision checkpoint in/);
  });
});

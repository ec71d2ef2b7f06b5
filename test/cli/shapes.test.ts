// train detector → detect and train captioner → caption on PNG files the test writes (tiny
// models, one epoch: this checks the commands, not the models' quality), and the one-line
// errors for bad images.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { captionedShapes, renderScene, SCENE_SIZE } from "../../src/data/captioned-shapes.js";
import { readPng, writePng } from "../../src/formats/png.js";
import { canvas, imageToRgba } from "../../src/image/pixels.js";
import { SeededRng } from "../../src/random/seeded-rng.js";
import { runCli } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "infiniset-shapes-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const scene = captionedShapes(1, new SeededRng(9), "any").scenes[0]!;
const image = join(dir, "scene.png");
writePng(image, imageToRgba(renderScene(scene), { channels: 3, height: SCENE_SIZE, width: SCENE_SIZE }));
const small = ["--data", "shapes", "--scenes", "32", "--epochs", "1", "--batch-size", "16", "--embd", "16"];

describe("train detector/captioner on shapes, then detect and caption PNG files", () => {
  it("train detector prints the held-out mAP; detect lists boxes and draws them", async () => {
    const run = join(dir, "detector");
    const trained = await runCli(["train", "detector", ...small, "--out", run, "--json"]);
    assert.equal(trained.code, 0, trained.stderr);
    const lines = trained.stdout.trim().split("\n");
    assert.match(lines[0]!, /32 training and 100 held-out scenes/);
    const record = JSON.parse(lines[1]!);
    assert.ok(record.map >= 0 && record.map <= 1);
    const { code, stdout, stderr } = await runCli([
      "detect",
      image,
      "--checkpoint",
      run,
      "--threshold",
      "0",
      "--out",
      dir,
    ]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /scene\.png: \d+ found\n {2}(circle|square|triangle) \d\.\d\d at \[/);
    const drawn = readPng(join(dir, "scene-boxes.png"));
    assert.deepEqual([drawn.width, drawn.height], [8 * SCENE_SIZE, 8 * SCENE_SIZE]);
    // eval scores the same held-out scenes again: the figure training printed.
    const evaluated = await runCli(["eval", "--checkpoint", run, "--json"]);
    assert.equal(evaluated.code, 0, evaluated.stderr);
    const scores = JSON.parse(evaluated.stdout);
    assert.equal(scores.map, record.map);
    assert.deepEqual(Object.keys(scores.perClass), ["circle", "square", "triangle"]);
  });

  it("train captioner prints exact match and BLEU-4; caption prints a caption of caption words", async () => {
    const run = join(dir, "captioner");
    const trained = await runCli([
      "train",
      "captioner",
      ...small,
      "--layers",
      "1",
      "--heads",
      "2",
      "--out",
      run,
    ]);
    assert.equal(trained.code, 0, trained.stderr);
    assert.match(trained.stdout, /held-out exact match \d+\.\d%, BLEU-4 \d\.\d{3} after 1 epochs/);
    assert.ok(existsSync(join(run, "latest.json")));
    const trainedFigures = trained.stdout.match(/exact match (\d+\.\d%), BLEU-4 (\d\.\d{3}) after/)!;
    const evaluated = await runCli(["eval", "--checkpoint", run]);
    assert.equal(evaluated.code, 0, evaluated.stderr);
    assert.match(
      evaluated.stdout,
      new RegExp(
        `^the 100 held-out shapes scenes: exact match ${trainedFigures[1]}, BLEU-4 ${trainedFigures[2]}\n`,
      ),
    );
    const { code, stdout, stderr } = await runCli(["caption", image, "--checkpoint", run]);
    assert.equal(code, 0, stderr);
    assert.match(
      stdout,
      /^((a|small|large|red|green|blue|yellow|circle|square|triangle|left|of|above) ?)*\n$/,
    );
  });

  it("bad images and a missing checkpoint give one clear error line", async () => {
    const wrongSize = join(dir, "small.png");
    writePng(wrongSize, canvas(32, 40));
    const corrupt = join(dir, "corrupt.png");
    writeFileSync(corrupt, "not an image");
    const cases: [string[], RegExp][] = [
      [
        ["detect", wrongSize, "--checkpoint", join(dir, "detector")],
        /small\.png is 32×40; the model takes 40×40/,
      ],
      [["caption", corrupt, "--checkpoint", join(dir, "captioner")], /corrupt\.png is not a PNG file/],
      [["detect", image, "--checkpoint", join(dir, "nothing")], /nothing/],
      [["train", "detector", "--data", "mnist"], /--data must be "shapes"/],
      [
        ["eval", "--checkpoint", join(dir, "detector"), "--plots", dir],
        /--plots does not apply to detect models/,
      ],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await runCli(args);
      assert.equal(code, 1);
      assert.equal(stderr.trim().split("\n").length, 1, stderr);
      assert.match(stderr, message);
    }
  });
});

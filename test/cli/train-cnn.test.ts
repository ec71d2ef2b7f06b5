// train cnn → eval on a folder of small PNGs the test draws (two classes), and the one-line
// errors for bad images.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { writePng } from "../../src/formats/png.js";
import { canvas, setPixel } from "../../src/image/pixels.js";
import { runCli } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "infiniset-cnn-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** 12×12 images: "bar" a horizontal bar, "column" a vertical one, at varying places. */
function writeShapes(root: string, perClass: number): void {
  let state = 11;
  const next = (n: number) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
  for (const name of ["bar", "column"]) {
    mkdirSync(join(root, name), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const image = canvas(12, 12);
      const [at, from] = [next(10) + 1, next(4)];
      for (let k = from; k < from + 8; k++) {
        if (name === "bar") setPixel(image, k, at, [255, 255, 255]);
        else setPixel(image, at, k, [255, 255, 255]);
      }
      writePng(join(root, name, `${i}.png`), image);
    }
  }
}

const data = join(dir, "shapes");
writeShapes(data, 24);
const run = join(dir, "run");

describe("train cnn and eval on a folder of PNG images", () => {
  it("trains, checkpoints each epoch, and reports held-out accuracy", async () => {
    const { code, stdout, stderr } = await runCli([
      "train",
      "cnn",
      "--data",
      data,
      "--epochs",
      "6",
      "--batch-size",
      "8",
      "--lr",
      "0.003",
      "--augment",
      "affine:degrees=5:translate=0.05",
      "--out",
      run,
      "--json",
    ]);
    assert.equal(code, 0, stderr);
    const epochs = stdout
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      epochs.map((e) => e.epoch),
      [1, 2, 3, 4, 5, 6],
    );
    // Six epochs, not four: a four-epoch run ended at 7/10 on one CI machine (its kernels sum
    // in another order), where runs here reach 10/10 from the second epoch.
    assert.ok(epochs[5].testAccuracy >= 0.8, `held-out accuracy ${epochs[5].testAccuracy}`);
    assert.ok(existsSync(join(run, "latest.json")));
  });

  it("evaluates: table, confusion matrix, misclassified grid and saliency maps", async () => {
    const { code, stdout, stderr } = await runCli([
      "eval",
      "--checkpoint",
      run,
      "--plots",
      join(dir, "plots"),
    ]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /the 10 held-out images of .*shapes:/);
    assert.match(stdout, /confusion matrix \(rows: true class, columns: predicted\)/);
    assert.match(stdout, /accuracy \d\.\d{4}/);
    assert.ok(existsSync(join(dir, "plots", "saliency.png")));
  });

  it("resumes a finished run without training again, and continues to more epochs", async () => {
    const { code, stdout, stderr } = await runCli([
      "train",
      "cnn",
      "--data",
      data,
      "--epochs",
      "7",
      "--batch-size",
      "8",
      "--lr",
      "0.003",
      "--augment",
      "affine:degrees=5:translate=0.05",
      "--out",
      run,
      "--resume",
      "--json",
    ]);
    assert.equal(code, 0, stderr);
    const epochs = stdout
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      epochs.map((e) => e.epoch),
      [7],
    );
  });

  it("bad images give one clear error line", async () => {
    const empty = join(dir, "empty");
    mkdirSync(empty);
    const corrupt = join(dir, "corrupt");
    mkdirSync(join(corrupt, "a"), { recursive: true });
    writeFileSync(join(corrupt, "a", "x.png"), "not an image");
    const truncated = join(dir, "truncated");
    writeShapes(truncated, 2);
    const bytes = readFileSync(join(truncated, "bar", "0.png"));
    writeFileSync(join(truncated, "bar", "0.png"), bytes.subarray(0, bytes.length - 30));
    const sizes = join(dir, "sizes");
    writeShapes(sizes, 2);
    writePng(join(sizes, "bar", "9.png"), canvas(10, 12));
    const cases: [string, RegExp][] = [
      [empty, /has no class folders/],
      [corrupt, /x\.png is not a PNG file/],
      [truncated, /0\.png is a damaged PNG file \(it ends too early\)/],
      [sizes, /9\.png is 10×12; the images must be 12×12/],
    ];
    for (const [folder, message] of cases) {
      const { code, stderr } = await runCli([
        "train",
        "cnn",
        "--data",
        folder,
        "--epochs",
        "1",
        "--out",
        join(dir, "bad"),
      ]);
      assert.equal(code, 1);
      assert.equal(stderr.trim().split("\n").length, 1, stderr);
      assert.match(stderr, message);
    }
  });
});

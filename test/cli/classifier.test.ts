// train classifier → eval → plot on a small CSV the test writes, and the one-line errors
// for bad input.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { TARGET_INDEPENDENT } from "../helpers/target-independent.js";
import { runCli, runCliEach } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "infiniset-classifier-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** 80 short texts of two classes whose words mostly differ, with a little overlap. */
function writeCsv(path: string): void {
  const spam = ["win", "free", "prize", "cash", "offer", "click", "now", "meeting"];
  const ham = ["meeting", "agenda", "patch", "lunch", "review", "notes", "build", "free"];
  let state = 7;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const rows = ["text,label"];
  for (let i = 0; i < 80; i++) {
    const words = i % 2 ? spam : ham;
    rows.push(
      `"${Array.from({ length: 6 }, () => words[Math.floor(next() * words.length)]).join(" ")}",${i % 2 ? "spam" : "ham"}`,
    );
  }
  writeFileSync(path, `${rows.join("\n")}\n`);
}

const csv = join(dir, "texts.csv");
writeCsv(csv);

describe("infiniset train classifier / eval / plot", () => {
  it("trains logistic regression, saves a checkpoint that eval reloads, and plots it", async () => {
    const out = join(dir, "logreg");
    const train = await runCli([
      "train",
      "classifier",
      "--data",
      csv,
      "--model",
      "logreg",
      "--features",
      "word",
      "--out",
      out,
      "--json",
    ]);
    assert.equal(train.stderr, "");
    assert.equal(train.code, 0);
    const result = JSON.parse(train.stdout);
    assert.ok(result.f1 > 0.9, train.stdout);
    assert.ok(existsSync(join(out, "config.json")) && existsSync(join(out, "weights.safetensors")));

    const evaluated = await runCli(["eval", "--checkpoint", out, "--json", "--plots", join(dir, "plots")]);
    assert.equal(evaluated.code, 0, evaluated.stderr);
    const e = JSON.parse(evaluated.stdout);
    assert.equal(e.examples, 16);
    assert.equal(e.f1, result.f1, "the reloaded model predicts what the trained one did");
    assert.deepEqual(
      e.perClass.map((c: { class: string }) => c.class),
      ["ham", "spam"],
    );
    for (const plot of ["confusion", "roc", "pr", "calibration"]) {
      assert.match(readFileSync(join(dir, "plots", `${plot}.svg`), "utf8"), /^<svg [\s\S]*<\/svg>\n$/);
    }
    const text = await runCli(["eval", "--checkpoint", out]);
    assert.match(text.stdout, /precision +recall +f1 +support/);
    assert.match(text.stdout, /confusion matrix/);
  });

  it("cross-validates with --folds and draws the folds as a box plot", async () => {
    const out = join(dir, "nb");
    const { code, stdout, stderr } = await runCli([
      "train",
      "classifier",
      "--data",
      csv,
      "--model",
      "nb",
      "--features",
      "word",
      "--folds",
      "3",
      "--out",
      out,
    ]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^f1 +\d\.\d{4} ± \d\.\d{4}$/m);
    assert.match(stdout, /^auc +\d\.\d{4} ± \d\.\d{4}$/m);
    const plot = await runCli(["plot", `${out}.folds.json`]);
    assert.equal(plot.code, 0, plot.stderr);
    assert.equal(
      (readFileSync(`${out}.folds.svg`, "utf8").match(/<rect x=/g) ?? []).length,
      5,
      "one box per metric",
    );
  });

  it("trains a stacking ensemble", async () => {
    const { code, stdout, stderr } = await runCli([
      "train",
      "classifier",
      "--data",
      csv,
      "--model",
      "nb,logreg",
      "--ensemble",
      "stacking",
      "--features",
      "word",
      "--out",
      join(dir, "stack"),
      "--json",
    ]);
    assert.equal(code, 0, stderr);
    assert.ok(JSON.parse(stdout).f1 > 0.9);
  });

  it("bad input: one clear error line, no stack", { skip: TARGET_INDEPENDENT }, async () => {
    mkdirSync(join(dir, "folders/ham"), { recursive: true });
    mkdirSync(join(dir, "folders/spam"), { recursive: true });
    writeFileSync(join(dir, "folders/ham/a.txt"), "hello");
    const oneClass = join(dir, "one.csv");
    writeFileSync(oneClass, "text,label\na,x\nb,x\n");
    const noLabel = join(dir, "nolabel.csv");
    writeFileSync(noLabel, "text,category\na,x\n");
    const latin1 = join(dir, "latin1.csv");
    writeFileSync(
      latin1,
      Buffer.from([...Buffer.from("text,label\ncaf"), 0xe9, ...Buffer.from(",x\nb,y\n")]),
    );
    const cases: [string[], RegExp][] = [
      [["--data", join(dir, "folders")], /class "spam" has no examples/],
      [["--data", oneClass], /has only one class/],
      [["--data", noLabel], /has no "label" column/],
      [["--data", latin1], /is not valid UTF-8 text/],
      [["--data", csv, "--model", "svm"], /"svm" is not one of nb, logreg/],
      [["--data", csv, "--model", "nb", "--C", "2"], /--C applies to logreg/],
      [["--data", csv, "--model", "nb,logreg"], /need --ensemble/],
    ];
    const results = await runCliEach(
      cases.map(([args]) => ["train", "classifier", ...args, "--out", join(dir, "bad")]),
    );
    for (const [i, [args, message]] of cases.entries()) {
      const { code, stdout, stderr } = results[i]!;
      assert.equal(code, 1, `${args.join(" ")}: ${stdout}`);
      assert.match(stderr, message);
      assert.equal(stderr.trim().split("\n").length, 1, stderr);
    }
  });
});

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { hashSplit } from "../../src/data/hash-split.js";
import { loadLabelledTexts } from "../../src/data/labelled-text.js";
import { parseCsv } from "../../src/formats/csv.js";

const dir = mkdtempSync(join(tmpdir(), "infiniset-labelled-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, content);
  return path;
}

describe("CSV and folder loaders", () => {
  it("parses quoted fields with commas, quotes and newlines", () => {
    assert.deepEqual(parseCsv('a,b\r\n"x, ""y""\nz",1\n'), [
      ["a", "b"],
      ['x, "y"\nz', "1"],
    ]);
    assert.throws(
      () => parseCsv('a\n"open', "f.csv"),
      /f.csv: a quoted field opened on line 2 is never closed/,
    );
  });

  it("loads a CSV with text and label columns; classes sorted by name", () => {
    const data = loadLabelledTexts(
      file("ok.csv", 'id,text,label\n1,"hello, world",pos\n2,bye,neg\n3,hi,pos\n'),
    );
    assert.deepEqual(data.classes, ["neg", "pos"]);
    assert.deepEqual(data.labels, [1, 0, 1]);
    assert.deepEqual(data.texts, ["hello, world", "bye", "hi"]);
  });

  it("loads a folder per class", () => {
    file("folders/spam/a.txt", "buy now");
    file("folders/ham/b.txt", "meeting at 3");
    file("folders/ham/c.txt", "lunch?");
    const data = loadLabelledTexts(join(dir, "folders"));
    assert.deepEqual(data.classes, ["ham", "spam"]);
    assert.deepEqual(data.labels, [0, 0, 1]);
    assert.deepEqual(data.ids, ["ham/b.txt", "ham/c.txt", "spam/a.txt"]);
  });

  it("one clear error line for each kind of bad input", () => {
    const cases: [string, RegExp][] = [
      [
        file("nolabel.csv", "text,category\nhi,a\n"),
        /has no "label" column \(its header is: text, category\)/,
      ],
      [
        file("oneclass.csv", "text,label\nhi,a\nho,a\n"),
        /has only one class \("a"\); a classifier needs at least two/,
      ],
      [file("emptylabel.csv", "text,label\nhi,a\nho,\n"), /line 3: the label is empty/],
      [
        file(
          "latin1.csv",
          Uint8Array.from([...Buffer.from("text,label\ncaf"), 0xe9, ...Buffer.from(",a\n")]),
        ),
        /is not valid UTF-8 text/,
      ],
      [file("notes.txt", "x"), /expected a .csv file or a folder with one subfolder per class/],
      [join(dir, "missing.csv"), /Data not found/],
    ];
    mkdirSync(join(dir, "emptyclass/ham"), { recursive: true });
    mkdirSync(join(dir, "emptyclass/spam"), { recursive: true });
    file("emptyclass/ham/a.txt", "x");
    cases.push([join(dir, "emptyclass"), /class "spam" has no examples \(its folder is empty\)/]);
    for (const [path, message] of cases) {
      assert.throws(
        () => loadLabelledTexts(path),
        (error: Error) => {
          assert.match(error.message, message);
          assert.ok(!error.message.includes("\n"), "one line");
          return true;
        },
      );
    }
  });
});

describe("hash split", () => {
  it("a fifth of each stratum, independent of order", () => {
    const ids = [...Array(50).keys()].map((i) => `doc-${i}`);
    const strata = ids.map((_, i) => (i < 20 ? "a" : "b"));
    const { train, test } = hashSplit(ids, strata);
    assert.equal(test.length, 10);
    assert.equal(test.filter((i) => i < 20).length, 4);
    assert.equal(train.length + test.length, 50);
    const reversed = hashSplit([...ids].reverse(), [...strata].reverse());
    assert.deepEqual(
      reversed.test.map((i) => 49 - i).sort((a, b) => a - b),
      test,
    );
  });
});

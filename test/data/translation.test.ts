import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { render } from "../../src/data/translation/languages.js";
import { isHeldOutNumber, NumberPairs } from "../../src/data/translation/number-pairs.js";
import { readSentencePairs } from "../../src/data/translation/pair-files.js";
import { SeededRng } from "../../src/random/seeded-rng.js";

test("each language writes numbers, counts, dates and months in its own grammar", () => {
  const meanings = [
    { frame: "number", n: 342 },
    { frame: "count", n: 21, noun: 0 },
    { frame: "have", n: 71, noun: 2 },
    { frame: "date", day: 1, month: 4 },
    { frame: "monthYear", month: 7, year: 1999 },
  ] as const;
  assert.deepEqual(
    meanings.map((m) => render(m, "fr")),
    [
      "trois cent quarante-deux",
      "vingt et un livres",
      "j'ai soixante et onze chats",
      "le premier mai",
      "en août mille neuf cent quatre-vingt-dix-neuf",
    ],
  );
  assert.deepEqual(
    meanings.map((m) => render(m, "en")),
    [
      "three hundred forty-two",
      "twenty-one books",
      "I have seventy-one cats",
      "on the first of may",
      "in august one thousand nine hundred ninety-nine",
    ],
  );
  assert.equal(render(meanings[1], "es"), "veintiún libros");
  assert.equal(render({ frame: "date", day: 3, month: 4 }, "de"), "am dritten Mai");
  assert.throws(() => new NumberPairs("en", "xx"), /no grammar for language "xx"/);
});

test("training pairs never come from a held-out range or pattern; the test set only does", () => {
  const pairs = new NumberPairs("en", "fr");
  const rng = new SeededRng(5);
  for (let i = 0; i < 3000; i++) {
    const { source } = pairs.trainingPair(rng);
    assert.ok(!/^I have .* dogs$/.test(source) && !/ of march$/.test(source), source);
  }
  assert.ok(
    isHeldOutNumber(17_000) &&
      isHeldOutNumber(42_999) &&
      isHeldOutNumber(117_345) &&
      !isHeldOutNumber(18_000),
  );
  const held = pairs.heldOutPairs(100);
  assert.equal(held.length, 100);
  assert.deepEqual(held, new NumberPairs("en", "fr").heldOutPairs(100), "the test set is fixed");
  assert.equal(held.filter((p) => / of march$/.test(p.source)).length, 20);
  assert.ok(held.filter((p) => /^I have .* dogs$/.test(p.source)).length >= 20);
});

test("users' sentence pairs load from TSV and CSV, with an optional header; bad rows name their line", () => {
  const dir = mkdtempSync(join(tmpdir(), "pairs-"));
  writeFileSync(join(dir, "p.tsv"), "en\tfr\nhello\tbonjour\n\ngood night\tbonne nuit\n");
  assert.deepEqual(readSentencePairs(join(dir, "p.tsv")), [
    { source: "hello", target: "bonjour" },
    { source: "good night", target: "bonne nuit" },
  ]);
  writeFileSync(join(dir, "p.csv"), 'source,target\n"one, two","un, deux"\n');
  assert.deepEqual(readSentencePairs(join(dir, "p.csv")), [{ source: "one, two", target: "un, deux" }]);
  writeFileSync(join(dir, "bad.tsv"), "hello\tbonjour\nno tab here\n");
  assert.throws(
    () => readSentencePairs(join(dir, "bad.tsv")),
    /bad\.tsv:2: expected a source and a target separated by a tab/,
  );
  assert.throws(() => readSentencePairs(join(dir, "missing.tsv")), /cannot read the sentence pairs/);
});

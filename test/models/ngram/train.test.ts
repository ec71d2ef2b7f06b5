import assert from "node:assert/strict";
import { createReadStream } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { toArpa, trainNgram, trainNgramAsync } from "../../../src/models/ngram/index.js";

const TEXT = "the cat sat on the mat\nthe dog sat\n\non the log the cat sat\n";

test("empty corpora are refused with a clear error", () => {
  for (const corpus of ["", "\n\n", "   \n\t\n", [], ["", " "]]) {
    assert.throws(() => trainNgram({ order: 3 }, corpus), /empty corpus/);
    assert.throws(() => trainNgram({ order: 3, level: "char" }, corpus), /empty corpus/);
  }
});

test("an order that is not an integer ≥ 1 is refused", () => {
  for (const order of [0, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => trainNgram({ order }, TEXT), /order must be an integer ≥ 1/);
  }
  assert.throws(() => trainNgram({ order: "3" as unknown as number }, TEXT), /order must be an integer ≥ 1/);
});

test("other bad input is refused", () => {
  assert.throws(() => trainNgram({ order: 2, level: "byte" as "word" }, TEXT), /level must be/);
  assert.throws(() => trainNgram({ order: 2 }, "a b\nc <s> d"), /line 2: .*reserved token "<s>"/);
  assert.throws(() => trainNgram({ order: 2 }, [{ text: "a" }] as unknown as string[]), /must be strings/);
  assert.throws(
    () => trainNgram({ order: 2, fallbackDiscounts: [0.5, 2.5, 1.5] }, TEXT),
    /fallback discount D2 must lie in \[0, 2\]/,
  );
});

test("streamed chunks cut anywhere give the same model as whole texts, sync and async", async () => {
  const whole = trainNgram({ order: 3 }, TEXT);
  const expected = toArpa(whole);
  for (const size of [1, 2, 5, 7, 100]) {
    const chunks: string[] = [];
    for (let i = 0; i < TEXT.length; i += size) chunks.push(TEXT.slice(i, i + size));
    assert.equal(toArpa(trainNgram({ order: 3, input: "chunks" }, chunks)), expected);
    async function* stream() {
      for (const chunk of chunks) yield chunk;
    }
    assert.equal(toArpa(await trainNgramAsync({ order: 3, input: "chunks" }, stream())), expected);
  }
  // As complete texts, each item ends its own line, so lines without "\n" work too.
  assert.equal(toArpa(trainNgram({ order: 3 }, TEXT.split("\n"))), expected);
});

test("a file streams in small chunks or as readline lines, giving the same model as in memory", async () => {
  const text = "naïve café — über\nthe cat sat\r\n\ncafé the cat\n🐳 sat";
  const directory = await mkdtemp(join(tmpdir(), "ngram-"));
  try {
    const path = join(directory, "corpus.txt");
    await writeFile(path, text, "utf8");
    for (const level of ["word", "char"] as const) {
      const expected = toArpa(trainNgram({ order: 3, level }, text));
      const chunks = createReadStream(path, { encoding: "utf8", highWaterMark: 5 });
      assert.equal(toArpa(await trainNgramAsync({ order: 3, level, input: "chunks" }, chunks)), expected);
      const lines = createInterface({
        input: createReadStream(path, "utf8"),
        crlfDelay: Number.POSITIVE_INFINITY,
      });
      assert.equal(toArpa(await trainNgramAsync({ order: 3, level }, lines)), expected);
    }
  } finally {
    await rm(directory, { recursive: true });
  }
});

test("training statistics count sentences (non-blank lines) and tokens", () => {
  const model = trainNgram({ order: 2 }, TEXT);
  assert.equal(model.sentences, 3);
  assert.equal(model.tokens, 6 + 3 + 6);
  assert.equal(model.order, 2);
  assert.equal(model.level, "word");
});

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { loadMobyDickChapters } from "../../src/data/moby-dick.js";
import { BpeTokenizer, trainBpe } from "../../src/text/bpe-tokenizer.js";
import { loadBpeTokenizer, saveBpeTokenizer } from "../../src/text/bpe-tokenizer-file.js";
import { compileSplitPattern, GPT2_SPLIT_PATTERN, splitIntoPieces } from "../../src/text/pretokenize.js";

const corpus = loadMobyDickChapters()
  .slice(3, 5)
  .map((part) => part.text)
  .join("\n\n");
const trained = trainBpe(corpus, { vocabSize: 400 });

// The textbook algorithm, recounting every pair for every merge: slow, obviously right.
function naiveMerges(text: string, mergeCount: number): [number, number][] {
  const counts = new Map<string, number>();
  for (const piece of splitIntoPieces(text, compileSplitPattern(GPT2_SPLIT_PATTERN))) {
    counts.set(piece, (counts.get(piece) ?? 0) + 1);
  }
  const words = [...counts.keys()].map((piece) => Array.from(new TextEncoder().encode(piece)));
  const weights = [...counts.values()];
  const merges: [number, number][] = [];
  while (merges.length < mergeCount) {
    const pairCounts = new Map<string, number>();
    words.forEach((word, w) => {
      for (let i = 0; i + 1 < word.length; i++) {
        const key = `${word[i]},${word[i + 1]}`;
        pairCounts.set(key, (pairCounts.get(key) ?? 0) + weights[w]!);
      }
    });
    let best: [number, number] | undefined;
    let bestCount = 0;
    for (const [key, count] of pairCounts) {
      const pair = key.split(",").map(Number) as [number, number];
      const smaller = best !== undefined && (pair[0] < best[0] || (pair[0] === best[0] && pair[1] < best[1]));
      if (count > bestCount || (count === bestCount && smaller)) [best, bestCount] = [pair, count];
    }
    if (best === undefined) break;
    const newToken = 256 + merges.length;
    merges.push(best);
    for (let w = 0; w < words.length; w++) {
      const word = words[w]!;
      const merged: number[] = [];
      for (let i = 0; i < word.length; i++) {
        if (word[i] === best[0] && word[i + 1] === best[1]) {
          merged.push(newToken);
          i++;
        } else merged.push(word[i]!);
      }
      words[w] = merged;
    }
  }
  return merges;
}

// Textbook encoding: repeatedly merge every occurrence of the lowest-ranked pair.
function naiveEncodePiece(piece: string, merges: [number, number][]): number[] {
  let ids = Array.from(new TextEncoder().encode(piece));
  for (;;) {
    let bestRank = -1;
    for (let i = 0; i + 1 < ids.length; i++) {
      const rank = merges.findIndex(([a, b]) => a === ids[i] && b === ids[i + 1]);
      if (rank >= 0 && (bestRank < 0 || rank < bestRank)) bestRank = rank;
    }
    if (bestRank < 0) return ids;
    const [a, b] = merges[bestRank]!;
    const merged: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] === a && ids[i + 1] === b) {
        merged.push(256 + bestRank);
        i++;
      } else merged.push(ids[i]!);
    }
    ids = merged;
  }
}

test("incremental training learns the same merges as recounting from scratch", () => {
  assert.equal(trained.vocabSize, 400);
  assert.deepEqual(trained.toJSON().merges, naiveMerges(corpus, 144));
});

test("encoding matches the textbook merge loop", () => {
  const merges = trained.toJSON().merges;
  const sample = corpus.slice(0, 3000);
  const expected = splitIntoPieces(sample, compileSplitPattern(GPT2_SPLIT_PATTERN)).flatMap((piece) =>
    naiveEncodePiece(piece, merges),
  );
  assert.deepEqual([...trained.encode(sample)], expected);
  // Overlapping runs merge left to right: "aaa" with the merge (a, a) is [aa, a].
  const tokenizer = new BpeTokenizer([[97, 97]]);
  assert.deepEqual([...tokenizer.encode("aaa")], [256, 97]);
  assert.deepEqual([...tokenizer.encode("aaaa")], [256, 256]);
});

test("learned tokens compress English text", () => {
  const ids = trained.encode(corpus);
  assert.ok(ids.length < corpus.length * 0.6, `${ids.length} tokens for ${corpus.length} characters`);
  assert.equal(trained.decode(ids), corpus);
});

test("decode(encode(s)) === s for arbitrary strings, emoji and lone surrogates included", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary" }), (text) => trained.decode(trained.encode(text)) === text),
  );
  const anyCodeUnits = fc
    .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 30 })
    .map((units) => String.fromCharCode(...units));
  fc.assert(fc.property(anyCodeUnits, (text) => trained.decode(trained.encode(text)) === text));
  for (const text of ["", "👨‍👩‍👧 family", "\uD83D", "a\uDE00b", " \t\n\r  x", "don't 1234567 ..."]) {
    assert.equal(trained.decode(trained.encode(text)), text);
  }
});

test("a very long piece encodes quickly and exactly", () => {
  const long = `${"!".repeat(50000)}${" ".repeat(50000)}`;
  assert.equal(trained.decode(trained.encode(long)), long);
});

test("save/load and toJSON/fromJSON keep the tokenizer identical", () => {
  const directory = mkdtempSync(join(tmpdir(), "bpe-"));
  try {
    const path = join(directory, "tokenizer.json");
    saveBpeTokenizer(path, trained);
    const loaded = loadBpeTokenizer(path);
    assert.deepEqual(loaded.toJSON(), trained.toJSON());
    assert.deepEqual(loaded.encode(corpus), trained.encode(corpus));
    const viaJson = BpeTokenizer.fromJSON(JSON.parse(JSON.stringify(trained)));
    assert.deepEqual(viaJson.encode("Call me Ishmael."), trained.encode("Call me Ishmael."));
    writeFileSync(path, "{ not json");
    assert.throws(() => loadBpeTokenizer(path), /is not valid JSON/);
    assert.throws(() => loadBpeTokenizer(join(directory, "missing.json")), /missing\.json/);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test("bad options, merges and ids give clear errors", () => {
  assert.throws(() => trainBpe("abc", { vocabSize: 100 }), /vocabSize must be an integer in \[256/);
  assert.throws(() => trainBpe("abc", { vocabSize: 300.5 }), /vocabSize/);
  assert.throws(() => new BpeTokenizer([[97, 300]]), /refers to token 300/);
  assert.throws(
    () =>
      new BpeTokenizer([
        [97, 98],
        [97, 98],
      ]),
    /repeats the pair/,
  );
  assert.throws(() => trained.decode([400]), /token id 400 is outside the vocabulary \[0, 400\)/);
  assert.throws(() => BpeTokenizer.fromJSON({ type: "char" } as never), /byte-level-bpe/);
});

test("training stops early when no pair is left and reports progress", () => {
  const seen: number[] = [];
  const tokenizer = trainBpe("ab ab", { vocabSize: 1000, onProgress: (p) => seen.push(p.merges) });
  // Pieces "ab" and " ab": merges (a,b), then (space, ab); nothing remains to merge.
  assert.equal(tokenizer.vocabSize, 258);
  assert.deepEqual(seen, [1, 2]);
  assert.deepEqual([...tokenizer.encode("ab ab")], [256, 257]);
});

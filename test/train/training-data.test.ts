import assert from "node:assert/strict";
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { loadCorpus } from "../../src/data/corpus.js";
import { SeededRng } from "../../src/random/seeded-rng.js";
import { trainBpe } from "../../src/text/bpe-tokenizer.js";
import { CharTokenizer } from "../../src/text/char-tokenizer.js";
import { prepareTextDataset, sampleBatchTensors } from "../../src/train/text-dataset.js";
import { createStreamingDecoder, tokenizerFromJson } from "../../src/train/tokenizer.js";
import { readTrainingLog, TrainingLogWriter } from "../../src/train/training-log.js";
import { TINY_TEXT, temporaryDirectory } from "./fixtures.js";

test("the corpus is Moby Dick by default, or a UTF-8 file; empty ones are errors", () => {
  const moby = loadCorpus();
  assert.equal(moby.source, "moby-dick");
  assert.match(moby.text, /Call me Ishmael/);
  const dir = temporaryDirectory();
  writeFileSync(join(dir, "a.txt"), "hello");
  assert.deepEqual(loadCorpus(join(dir, "a.txt")), { source: join(dir, "a.txt"), text: "hello" });
  assert.throws(() => loadCorpus(join(dir, "missing.txt")), /^Error: Text file not found: .*missing\.txt$/);
  writeFileSync(join(dir, "empty.txt"), "");
  assert.throws(() => loadCorpus(join(dir, "empty.txt")), /Text file is empty/);
  writeFileSync(join(dir, "blank.txt"), "\n  \n");
  assert.throws(() => loadCorpus(join(dir, "blank.txt")), /The corpus .*blank\.txt has no text to train on/);
});

test("the first 90% trains, the last 10% validates; a block larger than a part is an error", () => {
  const tokenizer = CharTokenizer.fromCorpus(TINY_TEXT);
  const dataset = prepareTextDataset({ source: "tiny", text: TINY_TEXT }, tokenizer, { blockSize: 8 });
  const all = tokenizer.encode(TINY_TEXT);
  assert.equal(dataset.train.length, Math.round(all.length * 0.9));
  assert.deepEqual(dataset.train, all.subarray(0, dataset.train.length));
  assert.deepEqual(dataset.validation, all.subarray(dataset.train.length));
  // The validation part has 58 tokens; a block needs blockSize + 1.
  assert.ok(prepareTextDataset({ source: "tiny", text: TINY_TEXT }, tokenizer, { blockSize: 57 }));
  assert.throws(
    () => prepareTextDataset({ source: "tiny", text: TINY_TEXT }, tokenizer, { blockSize: 58 }),
    /^Error: block size 58 is too large for tiny: its validation part has 58 tokens and a block needs 59/,
  );
  assert.throws(
    () =>
      prepareTextDataset({ source: "t", text: "abc" }, CharTokenizer.fromCorpus("abc"), { blockSize: 64 }),
    /^Error: block size 64 is too large for t: it has 3 tokens, and its training and validation parts need at least 65 each/,
  );
});

test("batches are int32 tensors [batch, block] with targets one token ahead", () => {
  const tokens = Int32Array.from({ length: 40 }, (_, i) => i);
  const { ids, targets } = sampleBatchTensors(tokens, 3, 5, new SeededRng(1));
  assert.deepEqual(ids.shape, [3, 5]);
  assert.equal(ids.dtype, "int32");
  const x = ids.dataSync();
  const y = targets.dataSync();
  for (let i = 0; i < 15; i++) assert.equal(y[i], x[i]! + 1);
});

test("tokenizers come back from their JSON; BPE streams multi-byte characters whole", () => {
  const char = tokenizerFromJson(CharTokenizer.fromCorpus("ab").toJSON());
  assert.deepEqual([...char.encode("ba")], [1, 0]);
  assert.throws(() => tokenizerFromJson({ type: "unigram" }), /unknown tokenizer type "unigram"/);
  const bpe = tokenizerFromJson(trainBpe("héllo wörld héllo", { vocabSize: 260 }).toJSON());
  const ids = bpe.encode("wörld é");
  const decode = createStreamingDecoder(bpe);
  // Byte tokens of "ö" arrive one by one; nothing half-decoded comes out between them.
  const pieces = [...ids].map((id) => decode(id));
  assert.equal(pieces.join(""), "wörld é");
  assert.ok(pieces.every((piece) => !piece.includes("\uFFFD")));
});

test("the training log appends lines, skips a torn last line and truncates on resume (stops too)", () => {
  const path = join(temporaryDirectory(), "log.jsonl");
  const log = new TrainingLogWriter(path);
  for (let iter = 1; iter <= 4; iter++)
    log.append({ type: "step", iter, loss: 1 / iter, tokensPerSec: 1, elapsedMs: iter });
  log.append({ type: "stop", iter: 2, reason: "early stopping" });
  appendFileSync(path, '{"type":"step","it');
  assert.equal(readTrainingLog(path).length, 5);
  log.truncateAfter(2);
  assert.deepEqual(
    readTrainingLog(path).map((r) => r.iter),
    [1, 2],
  );
  appendFileSync(path, "not json\n");
  assert.throws(() => readTrainingLog(path), /log\.jsonl: line 3 is not valid JSON/);
  assert.throws(() => readTrainingLog(`${path}.missing`), /Training log not found/);
});

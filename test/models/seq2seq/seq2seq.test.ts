import assert from "node:assert/strict";
import { test } from "node:test";
import { beamSearch } from "../../../src/models/seq2seq/beam-search.js";
import { GruSeq2Seq } from "../../../src/models/seq2seq/gru-seq2seq.js";
import type { DecoderState, Seq2SeqModel } from "../../../src/models/seq2seq/seq2seq-model.js";
import { TransformerSeq2Seq } from "../../../src/models/seq2seq/transformer-seq2seq.js";
import { encodePairs, Seq2SeqVocabulary } from "../../../src/models/seq2seq/vocabulary.js";
import { CharTokenizer } from "../../../src/text/char-tokenizer.js";

const chars = new CharTokenizer([..."abcdefgh "]);
const vocab = new Seq2SeqVocabulary(chars);
const pairs = [
  { source: "abc", target: "cba" },
  { source: "hg fe", target: "ef gh" },
];
const lengths = { source: 8, target: 9 };

function models(): Seq2SeqModel[] {
  const common = {
    sourceVocab: vocab.size,
    targetVocab: vocab.size,
    maxSourceLength: lengths.source,
    maxTargetLength: lengths.target,
    embd: 16,
    seed: 3,
  };
  return [
    new TransformerSeq2Seq({
      architecture: "transformer",
      ...common,
      sharedEmbeddings: true,
      heads: 2,
      encoderLayers: 1,
      decoderLayers: 2,
      dropout: 0,
    }),
    new GruSeq2Seq({ architecture: "gru", ...common, hidden: 12 }),
  ];
}

test("the vocabulary puts BOS before the decoder's input, EOS after its targets, and pads", () => {
  const batch = encodePairs(vocab, vocab, pairs, lengths.source, lengths.target);
  const ids = (t: string) => Array.from(chars.encode(t));
  assert.deepEqual(Array.from(batch.source.dataSync()).slice(0, 8), [
    ...ids("abc"),
    vocab.eos,
    ...Array(4).fill(vocab.pad),
  ]);
  assert.deepEqual(Array.from(batch.targetIn.dataSync()).slice(0, 5), [vocab.bos, ...ids("cba"), vocab.pad]);
  assert.deepEqual(Array.from(batch.targetOut.dataSync()).slice(0, 5), [...ids("cba"), vocab.eos, -100]);
  assert.deepEqual(Array.from(batch.sourceBias.dataSync()).slice(0, 5), [0, 0, 0, 0, -1e9]);
  assert.equal(vocab.decode([...ids("ab"), vocab.eos, ...ids("c")]), "ab");
  assert.throws(
    () => vocab.encodeSources(["abcdefgh"], 8),
    /the source "abcdefgh" is 8 tokens; at most 7 fit/,
  );
});

for (const model of models()) {
  const name = model.constructor.name;
  test(`${name}: decoding step by step (KV cache, beams) gives the teacher-forced log-probabilities`, () => {
    model.train(false);
    const batch = encodePairs(vocab, vocab, pairs, lengths.source, lengths.target);
    const full = model.logits(batch).logSoftmax(-1).dataSync();
    const width = 2;
    const state = model.startDecoding(batch.source, batch.sourceBias, width);
    const targetIn = batch.targetIn.dataSync();
    for (let t = 0; t < 4; t++) {
      // Beam k of each source reads the same tokens; swapping the beams must not matter.
      const tokens = Int32Array.from(
        { length: 4 },
        (_, r) => targetIn[Math.floor(r / width) * lengths.target + t]!,
      );
      const { logProbs, attention } = state.step(tokens);
      for (let r = 0; r < 4; r++) {
        const b = Math.floor(r / width);
        const expected = full.subarray(
          (b * lengths.target + t) * vocab.size,
          (b * lengths.target + t + 1) * vocab.size,
        );
        const got = logProbs.subarray(r * vocab.size, (r + 1) * vocab.size);
        for (let v = 0; v < vocab.size; v++)
          assert.ok(Math.abs(got[v]! - expected[v]!) < 1e-4, `${name} t=${t} row ${r}`);
        const sum = Array.from(attention.subarray(r * lengths.source, (r + 1) * lengths.source)).reduce(
          (a, c) => a + c,
          0,
        );
        assert.ok(Math.abs(sum - 1) < 1e-4);
      }
      state.selectRows(Int32Array.from([1, 0, 3, 2]));
    }
  });
}

/** A decoder whose next-token log-probabilities depend only on the tokens so far (a table). */
function tableState(rows: number, table: (prefix: number[]) => number[]): DecoderState {
  let prefixes: number[][] = Array.from({ length: rows }, () => []);
  let started = false;
  return {
    rows,
    step(tokens) {
      if (started) prefixes = prefixes.map((p, r) => [...p, tokens[r]!]);
      started = true;
      const logProbs = new Float32Array(rows * 4);
      prefixes.forEach((p, r) => {
        logProbs.set(table(p).map(Math.log), r * 4);
      });
      return { logProbs, attention: new Float32Array(rows).fill(1) };
    },
    selectRows(parents) {
      prefixes = Array.from(parents, (p) => prefixes[p]!);
    },
  };
}

// Tokens 0 = BOS, 1 = EOS, 2 = "a", 3 = "b". Greedy takes "a" (0.6) then ends (0.4):
// 0.24; "b" (0.4) then the end (0.9) is 0.36.
const table = (prefix: number[]) =>
  prefix.length === 0
    ? [0, 0, 0.6, 0.4]
    : prefix.length === 1
      ? prefix[0] === 2
        ? [0, 0.4, 0.3, 0.3]
        : [0, 0.9, 0.05, 0.05]
      : [0, 1, 0, 0];

test("beam search finds the more likely sequence that greedy decoding misses, and ranks n-best", () => {
  const special = { bos: 0, eos: 1 };
  const [greedy] = beamSearch(tableState(1, table), 1, special, { maxLength: 5, lengthPenalty: 0 });
  assert.deepEqual(greedy![0]!.tokens, [2]);
  const [best] = beamSearch(tableState(2, table), 1, special, {
    width: 2,
    nBest: 2,
    maxLength: 5,
    lengthPenalty: 0,
  });
  assert.deepEqual(
    best!.map((h) => h.tokens),
    [[3], [2]],
  );
  assert.ok(Math.abs(best![0]!.logProb - Math.log(0.36)) < 1e-6);
  assert.ok(best!.every((h) => h.finished && h.attention.length === h.tokens.length + 1));
});

test("beam search decodes several sources at once and stops at the maximum length", () => {
  const never = () => [0, 0, 0.5, 0.5];
  const found = beamSearch(tableState(4, never), 2, { bos: 0, eos: 1 }, { width: 2, maxLength: 3 });
  assert.equal(found.length, 2);
  for (const [h] of found) {
    assert.equal(h!.finished, false);
    assert.equal(h!.tokens.length, 3);
  }
});

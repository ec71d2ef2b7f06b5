import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { TARGET_INDEPENDENT } from "../helpers/target-independent.js";
import { runCli, runCliEach } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "infiniset-ngram-cli-"));
const corpus = join(dir, "corpus.txt");
writeFileSync(corpus, "the cat sat on the mat\nthe dog sat on the log\n\nthe cat ate\n");
const heldOut = join(dir, "held-out.txt");
writeFileSync(heldOut, "the dog sat on the mat\nthe bird sat\n");

test("train ngram writes an ARPA file; eval scores a text with it; generate samples from it", {
  skip: TARGET_INDEPENDENT,
}, async () => {
  const arpa = join(dir, "words.arpa");
  const trained = await runCli([
    "train",
    "ngram",
    "--order",
    "3",
    "--level",
    "word",
    "--data",
    corpus,
    "--out",
    arpa,
    "--json",
  ]);
  assert.equal(trained.stderr, "");
  assert.equal(trained.code, 0);
  const report = JSON.parse(trained.stdout);
  assert.deepEqual(
    { ...report, trainSeconds: 0, bytes: 0 },
    {
      model: "ngram",
      order: 3,
      level: "word",
      data: corpus,
      // 3 sentences, 6 + 6 + 3 words; vocabulary: 8 words, <unk>, <s>, </s>. Bigrams: 7 in
      // the first sentence, 4 new in the second, 2 in the third; trigrams 6 + 5 + 2.
      sentences: 3,
      tokens: 15,
      vocabSize: 11,
      ngrams: [11, 13, 13],
      out: arpa,
      bytes: 0,
      trainSeconds: 0,
    },
  );
  assert.equal(report.bytes, readFileSync(arpa).length);
  assert.match(readFileSync(arpa, "utf8"), /^\\data\\\nngram 1=11\nngram 2=13\nngram 3=13\n/);

  const scored = await runCli(["eval", "--model", arpa, "--data", heldOut, "--json"]);
  assert.equal(scored.code, 0, scored.stderr);
  const result = JSON.parse(scored.stdout);
  // "bird" is the one word the model has not seen; 6 + 3 words and two </s>.
  assert.equal(result.tokens, 11);
  assert.equal(result.oovs, 1);
  assert.equal(result.sentences, 2);
  assert.ok(result.perplexity > 1 && result.perplexity < 12, `perplexity ${result.perplexity}`);
  assert.ok(result.perplexityExcludingOovs < result.perplexity);
  const plain = await runCli(["eval", "--model", arpa, "--data", heldOut]);
  assert.match(
    plain.stdout,
    /^perplexity \d+\.\d{3} \(\d+\.\d{3} without OOVs\) over 11 tokens in 2 sentences, 1 OOV\n/,
  );

  const generate = (seed: string) =>
    runCli(["generate", "--model", arpa, "--max-tokens", "12", "--seed", seed]);
  const first = await generate("3");
  assert.equal(first.code, 0, first.stderr);
  const words = first.stdout.split(/\s+/).filter((w) => w !== "");
  assert.ok(words.length > 0 && words.length <= 12, first.stdout);
  assert.ok(words.every((w) => ["the", "cat", "sat", "on", "mat", "dog", "log", "ate"].includes(w)));
  assert.equal((await generate("3")).stdout, first.stdout);
  const prompted = await runCli(["generate", "--model", arpa, "--prompt", "the dog", "--max-tokens", "3"]);
  assert.match(prompted.stdout, /^the dog/);
});

test("a character model: the default level, and OOVs counted per character", {
  skip: TARGET_INDEPENDENT,
}, async () => {
  const arpa = join(dir, "chars.arpa");
  const trained = await runCli(["train", "ngram", "--order", "2", "--data", corpus, "--out", arpa]);
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(
    trained.stdout,
    /^2-gram char-level Kneser-Ney model of .*corpus\.txt: 55 tokens in 3 sentences/,
  );
  assert.match(trained.stdout, /\nwrote .*chars\.arpa: \d+ 1-grams, \d+ 2-grams \(\d+ bytes\)\n$/);
  const scored = await runCli(["eval", "--model", arpa, "--data", heldOut, "--json"]);
  // 22 + 12 characters, two </s>; "b", "i" and "r" are unseen characters.
  const result = JSON.parse(scored.stdout);
  assert.equal(result.tokens, 36);
  assert.equal(result.oovs, 3);
  assert.equal(result.level, "char");
});

test("bad input: an empty corpus, order < 1, a malformed ARPA line, missing options", {
  skip: TARGET_INDEPENDENT,
}, async () => {
  writeFileSync(join(dir, "empty.txt"), "");
  writeFileSync(join(dir, "blank.txt"), "  \n\n \n");
  const good = readFileSync(join(dir, "words.arpa"), "utf8").split("\n");
  // Line 7 is the second 1-gram: give it a positive log probability.
  good[6] = good[6]!.replace(/^-?[\d.]+/, "0.5");
  writeFileSync(join(dir, "bad.arpa"), good.join("\n"));
  const out = join(dir, "x.arpa");
  const cases: [string[], RegExp][] = [
    [
      ["train", "ngram", "--order", "3", "--data", join(dir, "empty.txt"), "--out", out],
      /Text file is empty: .*empty\.txt$/,
    ],
    [
      ["train", "ngram", "--order", "3", "--data", join(dir, "blank.txt"), "--out", out],
      /cannot train an n-gram model on an empty corpus: no line with a token was found$/,
    ],
    [
      ["train", "ngram", "--order", "3", "--data", join(dir, "none.txt"), "--out", out],
      /Text file not found: .*none\.txt$/,
    ],
    [
      ["train", "ngram", "--order", "0", "--data", corpus, "--out", out],
      /option '--order <n>' argument '0' is invalid/,
    ],
    [["train", "ngram", "--data", corpus, "--out", out], /train ngram needs --order N/],
    [["train", "ngram", "--order", "2", "--data", corpus], /train ngram needs --out FILE/],
    [
      ["train", "ngram", "--order", "2", "--out", out, "--iters", "5"],
      /--iters does not apply to ngram models/,
    ],
    [["train", "gpt", "--order", "2"], /--order does not apply to gpt models/],
    [
      ["eval", "--model", join(dir, "bad.arpa"), "--data", heldOut],
      /bad\.arpa: ARPA line 7: expected "<log10 prob> <1 token> \[<log10 back-off>\]" in the \\1-grams: section, got "0\.5/,
    ],
    [["eval", "--model", join(dir, "none.arpa"), "--data", heldOut], /ARPA file not found: .*none\.arpa$/],
    [["eval", "--model", join(dir, "words.arpa")], /eval --model needs --data/],
    [
      ["eval", "--model", join(dir, "words.arpa"), "--checkpoint", dir, "--data", heldOut],
      /give --model or --checkpoint, not both/,
    ],
    [["generate", "--model", join(dir, "words.arpa"), "--temperature", "0"], /--temperature above 0/],
    [
      ["generate", "--model", join(dir, "words.arpa"), "--top-k", "3"],
      /--top-k does not apply to n-gram models/,
    ],
    [["generate"], /give --checkpoint DIR \(a trained network\) or --model FILE\.arpa \(an n-gram model\)/],
  ];
  const results = await runCliEach(cases.map(([args]) => args));
  for (const [i, [args, message]] of cases.entries()) {
    const { code, stdout, stderr } = results[i]!;
    assert.notEqual(code, 0, args.join(" "));
    assert.equal(stdout, "", args.join(" "));
    assert.equal(stderr.trimEnd().split("\n").length, 1, stderr);
    assert.match(stderr.trimEnd(), new RegExp(`^infiniset: error: .*${message.source}`), args.join(" "));
  }
});

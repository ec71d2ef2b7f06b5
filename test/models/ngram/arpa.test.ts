import assert from "node:assert/strict";
import { test } from "node:test";
import { ArpaFormatError, readArpa, toArpa } from "../../../src/models/ngram/arpa.js";
import { type NgramLanguageModel, trainNgram } from "../../../src/models/ngram/index.js";

const CORPUS = [
  "the cat sat on the mat",
  "the dog sat on the log",
  "a cat and a dog",
  "the cat saw the dog on the mat and the cat sat",
].join("\n");

/** Every history of up to `order` − 1 tokens drawn from the model's vocabulary, plus a few odd ones. */
function histories(model: NgramLanguageModel): string[][] {
  const tokens = model.vocabulary.list().filter((t) => t !== "</s>");
  const result: string[][] = [[], ["never-seen"], ["<s>", "never-seen"]];
  for (const a of tokens) {
    result.push([a]);
    for (const b of tokens.slice(0, 8)) result.push([a, b], [b, a, b]);
  }
  return result;
}

function assertSameProbabilities(a: NgramLanguageModel, b: NgramLanguageModel, relative: number) {
  assert.deepEqual(b.vocabulary.list(), a.vocabulary.list());
  for (const history of histories(a)) {
    for (const token of [...a.vocabulary.list(), "never-seen"]) {
      const pa = a.prob(history, token);
      const pb = b.prob(history, token);
      assert.ok(Math.abs(pa - pb) <= relative * pa, `P(${token} | ${history.join(" ")}): ${pa} vs ${pb}`);
    }
  }
}

test("ARPA round trip: a model read back scores like the model that wrote it", () => {
  for (const level of ["word", "char"] as const) {
    for (const order of [1, 2, 3, 5]) {
      const model = trainNgram({ order, level }, CORPUS);
      const arpa = toArpa(model);
      const read = readArpa(arpa);
      assert.equal(read.order, order);
      assert.equal(read.level, level);
      // 8 printed digits per log10 value, a few of them summed: well under 1e-6 relative.
      assertSameProbabilities(model, read, 1e-6);
      assertSameProbabilities(model, readArpa(toArpa(model, { digits: 17 })), 1e-12);
      // Writing the read model reproduces the file: same n-grams, order and numbers.
      assert.equal(toArpa(read), arpa);
      assert.equal(read.perplexity(CORPUS).tokens, model.perplexity(CORPUS).tokens);
    }
  }
});

test("ARPA layout follows KenLM: header counts, sections, back-offs only on contexts", () => {
  const arpa = toArpa(trainNgram({ order: 2 }, "a b\nb a b\n"));
  // See the bigram hand calculation in test/models/ngram/kneser-ney.test.ts: p(a) = 0.325,
  // γ(unigram context a) = 0.5, p(a | <s>) = 0.4125, p(b | b) is not listed (unseen bigram).
  const lines = arpa.split("\n");
  assert.deepEqual(lines.slice(0, 5), ["\\data\\", "ngram 1=5", "ngram 2=5", "", "\\1-grams:"]);
  assert.deepEqual(lines.slice(5, 10), [
    `${Number(Math.log10(0.125).toPrecision(8))}\t<unk>`,
    `-99\t<s>\t${Number(Math.log10(0.5).toPrecision(8))}`,
    `${Number(Math.log10(0.225).toPrecision(8))}\t</s>`,
    `${Number(Math.log10(0.325).toPrecision(8))}\ta\t${Number(Math.log10(0.5).toPrecision(8))}`,
    `${Number(Math.log10(0.325).toPrecision(8))}\tb\t${Number(Math.log10(0.5).toPrecision(8))}`,
  ]);
  assert.ok(lines.includes(`${Number(Math.log10(0.4125).toPrecision(8))}\t<s> a`));
  assert.deepEqual(lines.slice(-3), ["", "\\end\\", ""]);
});

test("char-level ARPA writes whitespace as <U+XXXX> and is read back as char level", () => {
  const model = trainNgram({ order: 3, level: "char" }, "a b\tc\na  b\n");
  const arpa = toArpa(model);
  assert.match(arpa, /^# infiniset n-gram model, level=char/);
  assert.match(arpa, /\t<U\+0020>\t/);
  assert.match(arpa, /\ta <U\+0020> b\n/);
  assert.match(arpa, /\tb <U\+0009> c\n/);
  const read = readArpa(arpa);
  assert.equal(read.level, "char");
  assert.ok(Math.abs(read.prob("a ", "b") - model.prob("a ", "b")) < 1e-7);
  assert.ok(Math.abs(read.prob(["b"], "\t") - model.prob(["b"], "\t")) < 1e-7);
});

const HAND_WRITTEN = `Lines before \\data\\ are ignored.

\\data\\
ngram 1=5
ngram 2=3
ngram 3=1

\\1-grams:
-1.0\t<unk>
-99\t<s>\t-0.5
-0.7\t</s>
-0.4\ta\t-0.2
-0.6\tb\t-0.3

\\2-grams:
-0.3\t<s> a\t-0.1
-0.25\ta b\t-0.15
-0.2\tb </s>

\\3-grams:
-0.05\t<s> a b

\\end\\
`;

test("a hand-written ARPA file scores with the back-off recursion", () => {
  const model = readArpa(HAND_WRITTEN);
  const log10 = (history: string[], token: string) => model.log10Prob(history, token);
  const close = (actual: number, expected: number) =>
    assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} ≠ ${expected}`);
  close(log10(["<s>", "a"], "b"), -0.05); // listed trigram
  close(log10(["<s>", "a"], "</s>"), -0.1 + -0.2 + -0.7); // bo(<s> a) · bo(a) · p(</s>)
  close(log10(["a"], "b"), -0.25); // listed bigram
  close(log10(["a", "b"], "a"), -0.15 + -0.3 + -0.4); // bo(a b) · bo(b) · p(a)
  close(log10(["a", "b"], "</s>"), -0.15 + -0.2); // bo(a b) · p(</s> | b)
  close(log10(["b", "b"], "a"), -0.3 + -0.4); // context "b b" not listed: bo = 1; then bo(b) · p(a)
  close(log10(["<s>"], "zebra"), -0.5 + -1.0); // OOV scored as <unk>: bo(<s>) · p(<unk>)
  close(log10(["<s>"], "a"), -0.3);
  close(log10([], "b"), -0.6);
  assert.equal(model.prob(["a"], "<s>"), 0);
  assert.deepEqual(model.vocabulary.list(), ["<unk>", "<s>", "</s>", "a", "b"]);
});

test("a file without <unk> gives OOVs probability 0", () => {
  const model = readArpa("\\data\\\nngram 1=2\n\n\\1-grams:\n-0.3\t</s>\n-0.3\ta\n\n\\end\\\n");
  assert.equal(model.prob([], "zebra"), 0);
  assert.ok(Math.abs(model.prob([], "a") - 10 ** -0.3) < 1e-15);
});

test("malformed ARPA files give errors naming the line and what was expected", () => {
  const lines = HAND_WRITTEN.split("\n");
  // lines[i] is line i + 1 of the file: 3 \data\, 8 \1-grams:, 15 \2-grams:, 18 "b </s>",
  // 20 \3-grams:, 23 \end\. A count that does not match is reported where its section ends.
  const edit = (lineIndex: number, replacement: string | null) =>
    lines
      .flatMap((line, i) => (i !== lineIndex ? [line] : replacement === null ? [] : [replacement]))
      .join("\n");
  const cases: [string, number, RegExp][] = [
    [
      edit(16, "-0.3\t<s>"),
      17,
      /expected "<log10 prob> <2 tokens> \[<log10 back-off>\]" in the \\2-grams: section, got "-0.3\t<s>"/,
    ],
    [edit(10, "abc\t</s>"), 11, /expected "<log10 prob> <1 token> \[<log10 back-off>\]"/],
    [edit(10, "0.5\t</s>"), 11, /expected "<log10 prob>/],
    [edit(11, "-0.4\ta\tx"), 12, /expected "<log10 prob>/],
    [edit(21, "-0.05\t<s> a b\t-0.1"), 22, /expected "<log10 prob> <3 tokens>" in the \\3-grams: section/],
    [edit(17, "-0.2\tb zebra"), 18, /token "zebra" is not listed in the \\1-grams: section/],
    [edit(17, "-0.2\ta b"), 18, /duplicate 2-gram "a b"/],
    [edit(4, "ngram 2:3"), 5, /expected "ngram N=count", got "ngram 2:3"/],
    [edit(4, "ngram 3=3"), 5, /expected "ngram 2=count"/],
    [edit(5, "ngram 3=2"), 23, /expected 2 3-grams as declared by "ngram 3=2", found 1/],
    [edit(17, null), 19, /expected 3 2-grams as declared by "ngram 2=3", found 2/],
    [edit(14, "\\3-grams:"), 15, /expected "\\2-grams:", got "\\3-grams:"/],
    [edit(22, null), 23, /expected "\\end\\", got the end of the file/],
    ["no header here\n", 2, /expected a "\\data\\" line, reached the end/],
  ];
  for (const [text, lineNumber, message] of cases) {
    assert.throws(
      () => readArpa(text),
      (error: unknown) => {
        assert.ok(error instanceof ArpaFormatError, String(error));
        assert.equal(error.lineNumber, lineNumber, error.message);
        assert.ok(error.message.startsWith(`ARPA line ${lineNumber}: `), error.message);
        assert.match(error.message, message);
        return true;
      },
    );
  }
});

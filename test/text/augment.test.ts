import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SeededRng } from "../../src/random/seeded-rng.js";
import {
  augmentDataset,
  characterNoise,
  randomDeletion,
  randomInsertion,
  randomSwap,
} from "../../src/text/augment.js";

const text = "the quick brown fox jumps over the lazy dog again and again";
const sorted = (t: string) => t.split(" ").sort().join(" ");

describe("text augmentation", () => {
  it("deletion keeps a subsequence, at least one word", () => {
    const out = randomDeletion(text, new SeededRng(1), 0.3).split(" ");
    const all = text.split(" ");
    let at = 0;
    for (const w of out) at = all.indexOf(w, at) + 1;
    assert.ok(at > 0 && out.length < all.length);
    assert.equal(randomDeletion("solo", new SeededRng(1), 1), "solo");
  });

  it("swap keeps the words, changes the order", () => {
    const out = randomSwap(text, new SeededRng(2), 0.2);
    assert.equal(sorted(out), sorted(text));
    assert.notEqual(out, text);
  });

  it("insertion adds words of the text itself", () => {
    const out = randomInsertion(text, new SeededRng(3), 0.2).split(" ");
    assert.equal(out.length, text.split(" ").length + 2);
    for (const w of out) assert.ok(text.includes(w));
  });

  it("character noise changes a few letters and nothing else", () => {
    const out = characterNoise("aaaa bbbb, 1234!", new SeededRng(4), 0.5);
    assert.notEqual(out, "aaaa bbbb, 1234!");
    assert.match(out, / .*, 1234!$/);
  });

  it("a dataset gets one copy per method, reproducibly, labels kept", () => {
    const a = augmentDataset(["a b c", "d e f"], [0, 1], ["swap", "deletion"], { seed: 5 });
    assert.equal(a.texts.length, 6);
    assert.deepEqual(a.labels, [0, 1, 0, 1, 0, 1]);
    assert.deepEqual(augmentDataset(["a b c", "d e f"], [0, 1], ["swap", "deletion"], { seed: 5 }), a);
  });
});

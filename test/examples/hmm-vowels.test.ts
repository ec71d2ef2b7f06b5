import assert from "node:assert/strict";
import { test } from "node:test";
import { ALPHABET, encodeLetters, main, mobyDickLetters } from "../../examples/hmm-vowels.js";
import { TARGET_INDEPENDENT } from "../helpers/target-independent.js";

test("the corpus is lowercase letters and single spaces from Moby-Dick", () => {
  const text = mobyDickLetters(2000);
  assert.equal(text.length, 2000);
  assert.match(text, /^[a-z]+( [a-z]+)* ?[a-z]*$/);
  assert.ok(text.startsWith("call me ishmael some years ago"), text.slice(0, 40));
  assert.equal(encodeLetters("az ").join(","), `0,25,${ALPHABET.length - 1}`);
  assert.throws(() => encodeLetters("ab!"), /"!" at position 2/);
});

test("a two-state HMM trained on English letters separates vowels from consonants", {
  skip: TARGET_INDEPENDENT,
}, () => {
  const lines: string[] = [];
  const experiment = main((line) => lines.push(line));
  const stateOf = (letter: string) => experiment.letters[ALPHABET.indexOf(letter)]!;
  // Each letter belongs to the state that emits most of its occurrences
  // (stationary weight × emission probability), so rare and common letters compare fairly.
  const vowelStates = new Set([..."aeiou"].map((letter) => stateOf(letter).state));
  const consonantStates = new Set([..."tnshr"].map((letter) => stateOf(letter).state));
  assert.equal(vowelStates.size, 1, "the vowels split across states");
  assert.equal(consonantStates.size, 1, "the common consonants split across states");
  const [vowelState] = vowelStates;
  assert.notEqual(vowelState, [...consonantStates][0]);
  for (const letter of "aeiou") assert.ok(stateOf(letter).shares[vowelState!]! > 0.5, letter);

  // Two states must explain the text better than drawing letters uniformly at random.
  assert.ok(experiment.logLikelihood > -experiment.characters * Math.log(ALPHABET.length));
  assert.ok(lines.some((line) => /^restart 0 {2}iteration 0 {2}log-likelihood -\d/.test(line)));
  const tableRows = lines.filter((line) => /^([a-z]|space) +\d/.test(line));
  assert.equal(tableRows.length, ALPHABET.length);
  assert.ok(lines.some((line) => line.startsWith("vowel state:") && /a e i o u/.test(line)));
});

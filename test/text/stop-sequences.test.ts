import assert from "node:assert/strict";
import { test } from "node:test";
import { checkStopSequences, pendingStopPrefixLength } from "../../src/text/stop-sequences.js";

test("detects a stop string at the end and trims it", () => {
  assert.deepEqual(checkStopSequences("Hello world\n\n", ["\n\n", "END"]), {
    stopped: true,
    text: "Hello world",
    stopSequence: "\n\n",
  });
  assert.deepEqual(checkStopSequences("Hello world", ["\n\n"]), { stopped: false, text: "Hello world" });
});

test("cuts at the earliest stop even when the last token ran past it", () => {
  const result = checkStopSequences("Answer: 42.END and more###", ["###", "END"]);
  assert.equal(result.text, "Answer: 42.");
  assert.equal(result.stopSequence, "END");
});

test("reports how much of the end could still become a stop string", () => {
  assert.equal(pendingStopPrefixLength("The end is near <|e", ["<|endoftext|>"]), 3);
  assert.equal(pendingStopPrefixLength("nothing pending", ["<|endoftext|>", "\n\n"]), 0);
  assert.equal(pendingStopPrefixLength("line\n", ["\n\n"]), 1);
});

test("empty stop strings are rejected", () => {
  assert.throws(() => checkStopSequences("x", [""]), /non-empty strings/);
  assert.throws(() => pendingStopPrefixLength("x", [""]), /non-empty strings/);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { loadMobyDick, loadMobyDickChapters } from "../../src/data/moby-dick.js";

test("the book has its front matter, 135 chapters and the epilogue, in order", () => {
  const parts = loadMobyDickChapters();
  assert.equal(parts.length, 139);
  assert.deepEqual(
    parts.slice(0, 4).map((p) => p.chapter),
    ["Contents", "Etymology", "Extracts", "1"],
  );
  assert.equal(parts[3]!.title, "Loomings.");
  assert.equal(parts.at(-1)!.chapter, "Epilogue");
});

test("the full text joins the parts with blank lines", () => {
  const text = loadMobyDick();
  const parts = loadMobyDickChapters();
  assert.ok(text.length > 1_000_000);
  assert.ok(text.startsWith(`${parts[0]!.text.trimEnd()}\n\n${parts[1]!.text.slice(0, 20)}`));
  assert.ok(text.includes(`${parts[2]!.text.trimEnd().slice(-20)}\n\nCall me Ishmael.`));
  assert.ok(text.endsWith(`${parts.at(-1)!.text.trimEnd()}\n`));
  assert.equal(loadMobyDick(), text);
});

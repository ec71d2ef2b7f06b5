import assert from "node:assert/strict";
import { test } from "node:test";
import { NgramTable } from "../../../src/models/ngram/ngram-table.js";

test("NgramTable finds every inserted key, numbers entries in insertion order, and grows", () => {
  const table = new NgramTable(3, 4);
  const reference = new Map<string, number>();
  const key = new Int32Array(3);
  let state = 7;
  for (let i = 0; i < 5000; i++) {
    for (let j = 0; j < 3; j++) key[j] = (state = (state * 1103515245 + 12345) >>> 0) % 40;
    const entry = table.insert(key, 0);
    const name = key.join(",");
    if (!reference.has(name)) {
      assert.equal(entry, reference.size);
      reference.set(name, entry);
    } else {
      assert.equal(entry, reference.get(name));
    }
  }
  assert.equal(table.size, reference.size);
  for (const [name, entry] of reference) {
    const ids = name.split(",").map(Number);
    assert.equal(table.find(ids, 0), entry);
    assert.deepEqual([table.idAt(entry, 0), table.idAt(entry, 1), table.idAt(entry, 2)], ids);
  }
  assert.equal(table.find([99, 99, 99], 0), -1);
});

test("NgramTable reads keys at an offset", () => {
  const table = new NgramTable(2);
  const entry = table.insert([9, 1, 2, 9], 1);
  assert.equal(table.find([1, 2], 0), entry);
  assert.equal(table.find([5, 5, 1, 2], 2), entry);
  assert.equal(table.find([2, 1], 0), -1);
});

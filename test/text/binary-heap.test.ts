import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { BinaryHeap } from "../../src/text/binary-heap.js";

test("pops items in comparison order", () => {
  fc.assert(
    fc.property(fc.array(fc.integer()), (values) => {
      const heap = new BinaryHeap<number>((a, b) => a < b);
      for (const v of values) heap.push(v);
      assert.equal(heap.size, values.length);
      const popped: number[] = [];
      for (let v = heap.pop(); v !== undefined; v = heap.pop()) popped.push(v);
      assert.deepEqual(
        popped,
        [...values].sort((a, b) => a - b),
      );
    }),
  );
});

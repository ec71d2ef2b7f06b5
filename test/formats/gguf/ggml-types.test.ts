import assert from "node:assert/strict";
import { test } from "node:test";
import {
  GGML_TYPE,
  GGML_TYPES,
  ggmlByteLength,
  ggmlTypeById,
  ggmlTypeByName,
} from "../../../src/formats/gguf/ggml-types.js";

test("ids are unique, in order, and skip the ids removed from the format", () => {
  const ids = GGML_TYPES.map((t) => t.id);
  assert.deepEqual(
    ids,
    [...ids].sort((a, b) => a - b),
  );
  assert.equal(new Set(ids).size, ids.length);
  for (const removed of [4, 5, 31, 32, 33, 36, 37, 38]) assert.equal(ggmlTypeById(removed), undefined);
});

test("block sizes and bytes per block match ggml's block structs", () => {
  // [elements per block, bytes per block], counted by hand from the struct fields.
  const expected: Record<string, [number, number]> = {
    F32: [1, 4],
    F16: [1, 2],
    BF16: [1, 2],
    Q4_0: [32, 18],
    Q4_1: [32, 20],
    Q5_0: [32, 22],
    Q5_1: [32, 24],
    Q8_0: [32, 34],
    Q2_K: [256, 84],
    Q3_K: [256, 110],
    Q4_K: [256, 144],
    Q5_K: [256, 176],
    Q6_K: [256, 210],
    Q8_K: [256, 292],
    IQ4_NL: [32, 18],
    IQ4_XS: [256, 136],
    TQ2_0: [256, 66],
    MXFP4: [32, 17],
  };
  for (const [name, [blockSize, bytes]] of Object.entries(expected)) {
    const type = ggmlTypeByName(name);
    assert.ok(type, name);
    assert.deepEqual([type.blockSize, type.bytesPerBlock], [blockSize, bytes], name);
  }
});

test("lookups by id and by name in any case agree", () => {
  for (const type of GGML_TYPES) {
    assert.equal(ggmlTypeById(type.id), type);
    assert.equal(ggmlTypeByName(type.name.toLowerCase()), type);
    assert.equal(GGML_TYPE[type.name as keyof typeof GGML_TYPE], type);
  }
  assert.equal(GGML_TYPE.Q4_K.id, 12);
  assert.equal(ggmlTypeByName("q9_9"), undefined);
});

test("byte length counts whole blocks per row and refuses partial blocks", () => {
  assert.equal(ggmlByteLength(GGML_TYPE.F32, 6, 3), 24);
  assert.equal(ggmlByteLength(GGML_TYPE.Q8_0, 64 * 3, 64), 3 * 2 * 34);
  assert.equal(ggmlByteLength(GGML_TYPE.Q4_K, 0, 256), 0);
  assert.throws(() => ggmlByteLength(GGML_TYPE.Q4_K, 288, 288), /Q4_K: a row of 288 elements/);
  assert.throws(() => ggmlByteLength(GGML_TYPE.Q8_0, 96, 64), /not whole rows/);
});

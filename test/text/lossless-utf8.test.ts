import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { decodeLosslessUtf8, encodeLosslessUtf8 } from "../../src/text/lossless-utf8.js";

const anyCodeUnits = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 })
  .map((units) => String.fromCharCode(...units));

test("well-formed text encodes exactly like standard UTF-8", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary" }), (text) => {
      assert.deepEqual(encodeLosslessUtf8(text), new TextEncoder().encode(text));
      assert.equal(decodeLosslessUtf8(encodeLosslessUtf8(text)), text);
    }),
  );
});

test("any string, lone surrogates included, round-trips", () => {
  fc.assert(fc.property(anyCodeUnits, (text) => decodeLosslessUtf8(encodeLosslessUtf8(text)) === text));
  assert.deepEqual([...encodeLosslessUtf8("\uD800")], [0xed, 0xa0, 0x80]);
});

test("invalid byte sequences decode to U+FFFD like the WHATWG decoder", () => {
  const samples = [
    [0xff],
    [0xc0, 0x80],
    [0xe2, 0x82],
    [0xf0, 0x9f, 0x98],
    [0x61, 0x80, 0x62],
    [0xf4, 0x90, 0x80, 0x80],
    [0xe0, 0x80, 0x80],
  ];
  for (const bytes of samples) {
    assert.equal(
      decodeLosslessUtf8(Uint8Array.from(bytes)),
      new TextDecoder().decode(Uint8Array.from(bytes)),
    );
  }
});

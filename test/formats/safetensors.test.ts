import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { readSafetensors, type SafetensorsTensor, writeSafetensors } from "../../src/formats/safetensors.js";
import { readSafetensorsFile, writeSafetensorsFile } from "../../src/formats/safetensors-file.js";

// A file laid out by hand: header length, header text (no padding), data bytes.
function handMadeFile(header: unknown, data: number[] = []): Uint8Array {
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const file = new Uint8Array(8 + headerBytes.length + data.length);
  new DataView(file.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  file.set(headerBytes, 8);
  file.set(data, 8 + headerBytes.length);
  return file;
}

test("reads a hand-made file with unaligned data and several dtypes", () => {
  const f32 = new Uint8Array(Float32Array.of(1.5, -2).buffer);
  const file = handMadeFile(
    {
      mask: { dtype: "BOOL", shape: [3], data_offsets: [8, 11] },
      weight: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
      half: { dtype: "F16", shape: [1], data_offsets: [11, 13] },
      __metadata__: { format: "pt" },
    },
    [...f32, 1, 0, 1, 0x00, 0x3c],
  );
  const { tensors, metadata } = readSafetensors(file);
  assert.deepEqual(metadata, { format: "pt" });
  assert.deepEqual([...tensors.keys()], ["weight", "mask", "half"]);
  assert.deepEqual(tensors.get("weight"), { dtype: "F32", shape: [2], data: Float32Array.of(1.5, -2) });
  assert.deepEqual(tensors.get("mask"), { dtype: "BOOL", shape: [3], data: Uint8Array.of(1, 0, 1) });
  // F16 stays raw: 0x3c00 is 1.0 in half precision.
  assert.deepEqual(tensors.get("half"), { dtype: "F16", shape: [1], data: Uint16Array.of(0x3c00) });
});

test("writes an 8-byte aligned header and the exact layout of the format", () => {
  const file = writeSafetensors(
    { ids: { dtype: "I32", shape: [2], data: Int32Array.of(7, -1) } },
    { note: "hi" },
  );
  const headerLength = Number(new DataView(file.buffer).getBigUint64(0, true));
  assert.equal((8 + headerLength) % 8, 0);
  const headerText = new TextDecoder().decode(file.subarray(8, 8 + headerLength));
  assert.deepEqual(JSON.parse(headerText), {
    __metadata__: { note: "hi" },
    ids: { dtype: "I32", shape: [2], data_offsets: [0, 8] },
  });
  assert.ok(headerText.startsWith("{") && /^ *$/.test(headerText.slice(headerText.lastIndexOf("}") + 1)));
  assert.deepEqual([...file.subarray(8 + headerLength)], [7, 0, 0, 0, 255, 255, 255, 255]);
});

const dtypeArbitraries = {
  F32: (n: number) => fc.float32Array({ minLength: n, maxLength: n, noDefaultInfinity: true, noNaN: true }),
  F64: (n: number) => fc.float64Array({ minLength: n, maxLength: n, noNaN: true }),
  I32: (n: number) => fc.int32Array({ minLength: n, maxLength: n }),
  BF16: (n: number) => fc.uint16Array({ minLength: n, maxLength: n }),
  I64: (n: number) => fc.bigInt64Array({ minLength: n, maxLength: n }),
  U8: (n: number) => fc.uint8Array({ minLength: n, maxLength: n }),
} as const;

const tensorArbitrary: fc.Arbitrary<SafetensorsTensor> = fc
  .record({
    dtype: fc.constantFrom(...(Object.keys(dtypeArbitraries) as (keyof typeof dtypeArbitraries)[])),
    shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
  })
  .chain(({ dtype, shape }) =>
    dtypeArbitraries[dtype](shape.reduce((a, b) => a * b, 1)).map(
      (data) => ({ dtype, shape, data }) as SafetensorsTensor,
    ),
  );

test("write then read returns the same tensors and metadata (property)", () => {
  fc.assert(
    fc.property(
      fc.dictionary(
        fc.string({ minLength: 1, maxLength: 8 }).filter((name) => name !== "__metadata__"),
        tensorArbitrary,
        { maxKeys: 5, noNullPrototype: true },
      ),
      fc.dictionary(fc.string(), fc.string(), { maxKeys: 3, noNullPrototype: true }),
      (tensors, metadata) => {
        const { tensors: read, metadata: readMetadata } = readSafetensors(
          writeSafetensors(tensors, metadata),
        );
        assert.deepEqual(readMetadata, metadata);
        assert.equal(read.size, Object.keys(tensors).length);
        for (const [name, tensor] of Object.entries(tensors)) assert.deepEqual(read.get(name), tensor);
      },
    ),
    { numRuns: 150 },
  );
});

test("reads from a Buffer that is a view at an offset into a larger buffer", () => {
  const file = writeSafetensors({ w: { dtype: "F32", shape: [1], data: Float32Array.of(3) } });
  const shifted = Buffer.concat([Buffer.from([9, 9, 9]), file]).subarray(3);
  assert.deepEqual(readSafetensors(shifted).tensors.get("w")!.data, Float32Array.of(3));
});

test("malformed files give clear errors", () => {
  const cases: [Uint8Array, RegExp][] = [
    [Uint8Array.of(1, 2, 3), /too short for a header/],
    [handMadeFile({}).subarray(0, 9), /header length 2 exceeds the 1 bytes/],
    [
      handMadeFile({ a: { dtype: "F33", shape: [1], data_offsets: [0, 4] } }, [0, 0, 0, 0]),
      /unknown dtype "F33"/,
    ],
    [
      handMadeFile({ a: { dtype: "F32", shape: [2], data_offsets: [0, 4] } }, [0, 0, 0, 0]),
      /needs 8 bytes, but data_offsets span 4/,
    ],
    [
      handMadeFile({ a: { dtype: "U8", shape: [4], data_offsets: [0, 4] } }, [0, 0]),
      /\[0, 4\] lie outside the 2-byte data section/,
    ],
    [handMadeFile({ a: { dtype: "U8", shape: [1], data_offsets: [2, 1] } }, [0, 0]), /lie outside/],
    [
      handMadeFile(
        {
          a: { dtype: "U8", shape: [3], data_offsets: [0, 3] },
          b: { dtype: "U8", shape: [2], data_offsets: [2, 4] },
        },
        [0, 0, 0, 0],
      ),
      /"a" \[0, 3\) and "b" \[2, 4\) overlap/,
    ],
    [
      handMadeFile({ a: { dtype: "U8", shape: [-1], data_offsets: [0, 0] } }),
      /shape must be an array of non-negative/,
    ],
    [handMadeFile({ __metadata__: { n: 1 } }), /__metadata__ value for "n" must be a string/],
    [handMadeFile([1, 2]), /header must be a JSON object/],
  ];
  for (const [file, message] of cases) assert.throws(() => readSafetensors(file), message);
  const notJson = handMadeFile({});
  notJson[8] = 0x78;
  assert.throws(() => readSafetensors(notJson), /header is not valid UTF-8 JSON/);
});

test("invalid tensors are rejected when writing", () => {
  assert.throws(
    () => writeSafetensors({ a: { dtype: "F32", shape: [3], data: Float32Array.of(1, 2) } }),
    /shape \[3\] has 3 elements, data has 2/,
  );
  assert.throws(
    () => writeSafetensors({ a: { dtype: "F32", shape: [1], data: Int32Array.of(1) } }),
    /F32 data must be a Float32Array/,
  );
  assert.throws(
    () => writeSafetensors({ __metadata__: { dtype: "U8", shape: [0], data: new Uint8Array(0) } }),
    /invalid tensor name/,
  );
});

test("file helpers write atomically and read back; errors name the path", () => {
  const directory = mkdtempSync(join(tmpdir(), "safetensors-"));
  try {
    const path = join(directory, "model.safetensors");
    const tensors = new Map<string, SafetensorsTensor>([
      ["embedding", { dtype: "F32", shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) }],
      ["step", { dtype: "I32", shape: [], data: Int32Array.of(12) }],
    ]);
    writeSafetensorsFile(path, tensors, { epoch: "3" });
    assert.deepEqual(readdirSync(directory), ["model.safetensors"]);
    const read = readSafetensorsFile(path);
    assert.deepEqual(read.tensors, tensors);
    assert.deepEqual(read.metadata, { epoch: "3" });
    assert.throws(() => readSafetensorsFile(join(directory, "nope.safetensors")), /nope\.safetensors/);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

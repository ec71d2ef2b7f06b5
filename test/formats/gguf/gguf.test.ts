import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { GGML_TYPE } from "../../../src/formats/gguf/ggml-types.js";
import { GgufFile } from "../../../src/formats/gguf/gguf-file.js";
import { GgufError, type GgufValue } from "../../../src/formats/gguf/gguf-values.js";
import { type GgufContents, serializeGguf, writeGguf } from "../../../src/formats/gguf/write-gguf.js";
import { TARGET_INDEPENDENT } from "../../helpers/target-independent.js";
import { fixtureContents, fixtureMetadata } from "./gguf-fixture.js";

function rewrite(file: GgufFile): Uint8Array {
  return serializeGguf({
    version: file.version,
    metadata: file.metadata,
    tensors: file.tensors.map((t) => ({ ...t, data: () => file.readTensorBytes(t) })),
    byteLength: file.byteLength,
  });
}

function rejects(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(
    () => GgufFile.fromBytes(bytes),
    (error: unknown) => {
      assert.ok(error instanceof GgufError, `expected a GgufError, got ${String(error)}`);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

for (const version of [2, 3] as const) {
  test(`version ${version}: every value type and tensor reads back as written, and rewrites byte for byte`, () => {
    const contents = fixtureContents(version);
    const bytes = serializeGguf(contents);
    const file = GgufFile.fromBytes(bytes);
    assert.equal(file.version, version);
    assert.equal(file.alignment, 64);
    assert.equal(file.dataOffset % 64, 0);
    assert.deepEqual([...file.metadata], fixtureMetadata());
    for (const written of contents.tensors) {
      const info = file.tensor(written.name);
      assert.equal(info.type, written.type);
      assert.deepEqual(info.shape, written.shape);
      assert.deepEqual(info.dims, [...written.shape].reverse());
      assert.equal(info.offset % 64, 0);
      assert.deepEqual(file.readTensorBytes(info), written.data);
    }
    assert.equal(file.byteLength % 64, 0, "the end is padded to the alignment");
    assert.deepEqual(rewrite(file), bytes);
  });
}

test("typed metadata getters name the key and what they found", () => {
  const file = GgufFile.fromBytes(serializeGguf(fixtureContents()));
  assert.equal(file.number("u32"), 4_000_000_000);
  assert.equal(file.number("i64"), -(2 ** 40));
  assert.equal(file.string("text"), "héllo ▁wörld 🦙");
  assert.equal(file.number("missing", 7), 7);
  assert.deepEqual([...file.numbers("ids")], [1, -2, 3]);
  assert.throws(() => file.number("u64"), /u64 should be a number JavaScript can hold, found uint64/);
  assert.throws(() => file.string("u8"), /u8 should be a string, found uint8/);
  assert.throws(() => file.strings("ids"), /ids should be an array of strings, found array<int32>/);
  assert.throws(() => file.number("missing"), /metadata key missing is missing/);
  assert.throws(() => file.tensor("nope"), /no tensor named "nope"/);
});

test("a file on disk: the header is read at open, tensors only when asked, into the caller's array", () => {
  const dir = mkdtempSync(join(tmpdir(), "gguf-"));
  try {
    const path = join(dir, "model.gguf");
    const values = Float32Array.from({ length: 15 }, (_, i) => i / 4);
    const contents: GgufContents = {
      metadata: [["general.architecture", { type: "string", value: "llama" }]],
      tensors: [{ name: "w", type: GGML_TYPE.F32, shape: [3, 5], data: new Uint8Array(values.buffer) }],
    };
    writeGguf(path, contents);
    const file = GgufFile.open(path);
    const into = new Float32Array(15);
    file.readTensorInto(file.tensor("w"), new Uint8Array(into.buffer));
    assert.deepEqual(into, values);
    file.close();
    assert.throws(() => file.readTensorBytes(file.tensor("w")), /closed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a file without tensors, and one that is not padded at its end, round-trip", () => {
  const bare = serializeGguf({ metadata: [["a", { type: "uint8", value: 1 }]], tensors: [] });
  assert.deepEqual(rewrite(GgufFile.fromBytes(bare)), bare);
  const unpadded = serializeGguf({ ...fixtureContents(), byteLength: undefined });
  const file = GgufFile.fromBytes(unpadded);
  const last = file.tensors.reduce((a, b) => (a.offset > b.offset ? a : b));
  const cut = unpadded.subarray(0, file.dataOffset + last.offset + last.byteLength);
  assert.deepEqual(rewrite(GgufFile.fromBytes(cut)), cut);
});

test("malformed files fail with one GgufError that names the key or tensor", () => {
  const good = serializeGguf(fixtureContents());
  const patch = (at: number, ...values: number[]) => {
    const copy = good.slice();
    copy.set(values, at);
    return copy;
  };
  const u64 = (value: bigint) => new Uint8Array(BigUint64Array.of(value).buffer);
  rejects(
    new TextEncoder().encode("PK\x03\x04 not a model"),
    /not a GGUF file: it starts with bytes 50 4b 03 04/,
  );
  rejects(patch(4, 1, 0, 0, 0), /GGUF version 1 is not supported/);
  rejects(patch(4, 0, 0, 0, 3), /big-endian GGUF files are not supported/);
  rejects(patch(8, ...u64(2n ** 62n)), /tensor count 4611686018427387904 cannot fit/);
  rejects(patch(16, ...u64(10n ** 12n)), /metadata count 1000000000000 cannot fit/);
  rejects(good.subarray(0, 3), /header: the file ends at byte 3/);
  // The first key's length, then its value type.
  rejects(patch(24, ...u64(2n ** 40n)), /metadata entry 0: string length 1099511627776 cannot fit/);
  const typeAt = 24 + 8 + "general.architecture".length;
  rejects(patch(typeAt, 42, 0, 0, 0), /metadata key "general.architecture": unknown value type 42/);

  const file = GgufFile.fromBytes(good);
  rejects(
    good.subarray(0, file.dataOffset + 10),
    /tensor "token_embd.weight": its data \[\d+, \d+\) lies past the end/,
  );
  // Find a tensor's info by its name, then patch its type and its offset.
  const nameAt = Buffer.from(good).indexOf("blk.0.q4k") + "blk.0.q4k".length;
  const infoType = nameAt + 4 + 2 * 8;
  rejects(patch(infoType, 99, 0, 0, 0), /tensor "blk.0.q4k": unknown tensor type 99/);
  rejects(patch(infoType, 0x1f, 0, 0, 0), /tensor "blk.0.q4k": unknown tensor type 31/);
  rejects(patch(infoType + 4, ...u64(1n << 40n)), /tensor "blk.0.q4k": its data .* lies past the end/);
  rejects(
    patch(infoType + 4, 3),
    /tensor "blk.0.q4k": data offset \d+ is not a multiple of the alignment 64/,
  );
  rejects(
    patch(nameAt + 4, ...u64(100n)),
    /tensor "blk.0.q4k": Q4_K: a row of 100 elements is not a whole number/,
  );
  rejects(patch(nameAt, 9, 0, 0, 0), /tensor "blk.0.q4k": 9 dimensions \(at most 4\)/);
  rejects(
    patch(nameAt + 4, ...u64(2n ** 60n)),
    /tensor "blk.0.q4k": dimension 1152921504606846976 is absurdly large/,
  );

  const boolAt = Buffer.from(good).indexOf("yes") + 3 + 4;
  rejects(patch(boolAt, 7), /metadata key "yes": a bool must be 0 or 1, found 7/);
  const alignmentAt = Buffer.from(good).indexOf("general.alignment") + "general.alignment".length + 4;
  rejects(patch(alignmentAt, 48), /general.alignment: must be a power of two, found 48/);
});

test("the writer refuses what it cannot write correctly", () => {
  const tensor = { name: "w", type: GGML_TYPE.Q8_0, shape: [2, 32], data: new Uint8Array(68) };
  assert.throws(
    () => serializeGguf({ metadata: [], tensors: [{ ...tensor, data: new Uint8Array(3) }] }),
    /takes 68 bytes, got 3/,
  );
  assert.throws(
    () => serializeGguf({ metadata: [], tensors: [{ ...tensor, shape: [2, 30] }] }),
    /w: Q8_0: a row of 30/,
  );
  assert.throws(
    () => serializeGguf({ metadata: [], tensors: [tensor, tensor] }),
    /w: the name appears twice/,
  );
  assert.throws(
    () => serializeGguf({ metadata: [], tensors: [tensor, { ...tensor, name: "v", offset: 32 }] }),
    /overlaps/,
  );
});

// Mutations a damaged or hostile file might have: flipped bits, bytes set to boundary
// values, truncation, bytes inserted or removed, and 8-byte counts overwritten.
function mutate(base: Uint8Array, random: () => number): Uint8Array {
  const at = () => Math.floor(random() * base.length);
  switch (Math.floor(random() * 6)) {
    case 0: {
      const copy = base.slice();
      for (let i = 0, n = 1 + Math.floor(random() * 4); i < n; i++)
        copy[at()]! ^= 1 << Math.floor(random() * 8);
      return copy;
    }
    case 1: {
      const copy = base.slice();
      copy[at()] = [0, 1, 0x7f, 0x80, 0xff][Math.floor(random() * 5)]!;
      return copy;
    }
    case 2:
      return base.slice(0, at());
    case 3: {
      const i = at();
      return Uint8Array.from([...base.subarray(0, i), Math.floor(random() * 256), ...base.subarray(i)]);
    }
    case 4: {
      const i = at();
      return Uint8Array.from([...base.subarray(0, i), ...base.subarray(i + 1 + Math.floor(random() * 8))]);
    }
    default: {
      const copy = base.slice();
      const value = [0n, 1n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n][
        Math.floor(random() * 7)
      ]!;
      const i = at();
      const room = Math.min(8, copy.length - i);
      copy.set(new Uint8Array(BigUint64Array.of(value).buffer).subarray(0, room), i);
      return copy;
    }
  }
}

test("fuzz: 10,000 mutated files parse or fail with a GgufError, never crash or hang", {
  skip: TARGET_INDEPENDENT,
}, () => {
  const base = serializeGguf(fixtureContents(3, 32));
  let state = 12345;
  const random = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  let parsed = 0;
  const started = performance.now();
  for (let i = 0; i < 10_000; i++) {
    const bytes = mutate(base, random);
    try {
      const file = GgufFile.fromBytes(bytes);
      for (const info of file.tensors) file.readTensorBytes(info);
      parsed++;
    } catch (error) {
      if (!(error instanceof GgufError)) {
        writeFileSync(join(tmpdir(), "gguf-fuzz-failure.gguf"), bytes);
        throw new Error(`mutation ${i} threw ${String(error)} (saved to ${tmpdir()}/gguf-fuzz-failure.gguf)`);
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;
  assert.ok(parsed > 0 && parsed < 10_000, `${parsed} of 10,000 mutated files parsed`);
  assert.ok(seconds < 60, `fuzzing took ${seconds.toFixed(1)} s`);
});

test("a header larger than the writer's first buffer (a real vocabulary) round-trips", () => {
  const tokens = Array.from({ length: 40_000 }, (_, i) => `token ▁${i}`);
  const metadata: [string, GgufValue][] = [
    ["tokenizer.ggml.tokens", { type: "array", itemType: "string", items: tokens }],
  ];
  const file = GgufFile.fromBytes(serializeGguf({ metadata, tensors: [] }));
  assert.deepEqual(file.strings("tokenizer.ggml.tokens"), tokens);
});

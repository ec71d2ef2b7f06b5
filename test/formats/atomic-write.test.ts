import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { writeFileAtomicSync } from "../../src/formats/atomic-write.js";

function withDirectory(body: (directory: string) => void): void {
  const directory = mkdtempSync(join(tmpdir(), "atomic-write-"));
  try {
    body(directory);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

test("writes bytes and strings, replacing an existing file, and leaves no temporary file", () => {
  withDirectory((directory) => {
    const path = join(directory, "checkpoint.bin");
    writeFileAtomicSync(path, Uint8Array.of(1, 2, 3));
    assert.deepEqual([...readFileSync(path)], [1, 2, 3]);
    writeFileAtomicSync(path, "héllo");
    assert.equal(readFileSync(path, "utf8"), "héllo");
    assert.deepEqual(readdirSync(directory), ["checkpoint.bin"]);
  });
});

test("writes a view of a larger buffer, not the whole buffer", () => {
  withDirectory((directory) => {
    const path = join(directory, "view.bin");
    writeFileAtomicSync(path, Uint8Array.of(9, 8, 7, 6).subarray(1, 3));
    assert.deepEqual([...readFileSync(path)], [8, 7]);
  });
});

test("a failed write names the path, keeps what was there and cleans up", () => {
  withDirectory((directory) => {
    // Renaming a file over a non-empty directory fails after the data has been written.
    const target = join(directory, "occupied");
    mkdirSync(target);
    writeFileSync(join(target, "keep.txt"), "still here");
    assert.throws(() => writeFileAtomicSync(target, "new"), /Could not write .*occupied atomically/);
    assert.equal(readFileSync(join(target, "keep.txt"), "utf8"), "still here");
    assert.deepEqual(readdirSync(directory), ["occupied"]);
    assert.throws(() => writeFileAtomicSync(join(directory, "no-such-dir", "x.bin"), "x"), /no-such-dir/);
  });
});

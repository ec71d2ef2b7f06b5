import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { readTextFile } from "../../src/data/text-file.js";

function withDirectory(body: (directory: string) => void): void {
  const directory = mkdtempSync(join(tmpdir(), "text-file-"));
  try {
    body(directory);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

test("reads UTF-8 text and drops a byte-order mark", () => {
  withDirectory((directory) => {
    const path = join(directory, "corpus.txt");
    writeFileSync(path, "\uFEFFwhale 🐋\nsea");
    assert.equal(readTextFile(path), "whale 🐋\nsea");
  });
});

test("missing, empty, directory and non-UTF-8 files give errors that name the path", () => {
  withDirectory((directory) => {
    const missing = join(directory, "missing.txt");
    assert.throws(() => readTextFile(missing), { message: `Text file not found: ${missing}` });
    const empty = join(directory, "empty.txt");
    writeFileSync(empty, "");
    assert.throws(() => readTextFile(empty), { message: `Text file is empty: ${empty}` });
    assert.throws(() => readTextFile(directory), /found a directory/);
    const binary = join(directory, "binary.bin");
    writeFileSync(binary, Uint8Array.of(0x66, 0xff, 0xfe));
    assert.throws(() => readTextFile(binary), { message: `Text file is not valid UTF-8: ${binary}` });
  });
});

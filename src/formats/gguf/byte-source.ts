// Where a GGUF reader gets its bytes: an open file read at positions (nothing is read until
// asked for, so a model's tensors are read once, straight into the arrays that keep them)
// or bytes already in memory.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

export interface ByteSource {
  /** Total bytes. */
  readonly size: number;
  /** Copies bytes [position, position + into.length) into `into`; the caller checks bounds. */
  readInto(position: number, into: Uint8Array): void;
  /** Bytes [position, position + length), possibly a view of memory the source keeps. */
  read(position: number, length: number): Uint8Array;
  close(): void;
}

export class MemorySource implements ByteSource {
  constructor(private readonly bytes: Uint8Array) {}

  get size(): number {
    return this.bytes.length;
  }

  readInto(position: number, into: Uint8Array): void {
    into.set(this.bytes.subarray(position, position + into.length));
  }

  read(position: number, length: number): Uint8Array {
    return this.bytes.subarray(position, position + length);
  }

  close(): void {}
}

export class FileSource implements ByteSource {
  readonly size: number;
  #fd: number | undefined;

  constructor(readonly path: string) {
    this.#fd = openSync(path, "r");
    try {
      this.size = fstatSync(this.#fd).size;
    } catch (error) {
      closeSync(this.#fd);
      throw error;
    }
  }

  readInto(position: number, into: Uint8Array): void {
    const fd = this.#fd;
    if (fd === undefined) throw new Error(`${this.path}: the file was closed`);
    let done = 0;
    while (done < into.length) {
      const n = readSync(fd, into, done, into.length - done, position + done);
      if (n === 0)
        throw new Error(`${this.path}: the file ended at byte ${position + done} (was it truncated?)`);
      done += n;
    }
  }

  read(position: number, length: number): Uint8Array {
    const bytes = new Uint8Array(length);
    this.readInto(position, bytes);
    return bytes;
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

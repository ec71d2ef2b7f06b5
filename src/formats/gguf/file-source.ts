// A GGUF file read at positions from disk (file-source.browser.ts: a browser has no paths).
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import type { ByteSource } from "./byte-source.js";

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

// Where a GGUF reader gets its bytes: an open file read at positions (nothing is read until
// asked for, so a model's tensors are read once, straight into the arrays that keep them)
// or bytes already in memory.

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

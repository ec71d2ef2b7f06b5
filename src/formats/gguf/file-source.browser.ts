import type { ByteSource } from "./byte-source.js";

// file-source.ts in a browser, which has no paths: a file chosen by the user is a Blob,
// read whole (`GgufFile.fromBytes(new Uint8Array(await blob.arrayBuffer()))`).

export class FileSource implements ByteSource {
  readonly size = 0;

  constructor(readonly path: string) {
    throw new Error(
      `cannot open ${path}: a browser has no file paths (read the File's bytes and use GgufFile.fromBytes)`,
    );
  }

  readInto(): void {}

  read(): Uint8Array {
    return new Uint8Array(0);
  }

  close(): void {}
}

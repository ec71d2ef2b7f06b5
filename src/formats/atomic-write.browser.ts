// atomic-write.ts in a browser, which has no file system: a page offers bytes as a download.

export function writeFileAtomicSync(path: string, _data: Uint8Array | string): void {
  throw new Error(`cannot write ${path}: a browser has no file system (write the bytes to a Blob instead)`);
}

export function writeFileAtomicStreamSync(
  path: string,
  _produce: (write: (bytes: Uint8Array) => void) => void,
): void {
  throw new Error(`cannot write ${path}: a browser has no file system (write the bytes to a Blob instead)`);
}

// Reading a training corpus from disk, with errors that say which file and what is wrong.
import { readFileSync } from "node:fs";

/** Reads a UTF-8 text file (a leading byte-order mark is dropped). */
export function readTextFile(path: string): string {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new Error(`Text file not found: ${path}`);
    if (code === "EISDIR") throw new Error(`Expected a text file but found a directory: ${path}`);
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Could not read text file ${path}: ${reason}`);
  }
  if (bytes.length === 0) throw new Error(`Text file is empty: ${path}`);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`Text file is not valid UTF-8: ${path}`);
  }
}

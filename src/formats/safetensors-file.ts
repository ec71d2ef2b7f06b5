// safetensors files on disk: read whole, written atomically (the format itself is safetensors.ts).
import { readFileSync } from "node:fs";
import { writeFileAtomicSync } from "./atomic-write.js";
import {
  readSafetensors,
  type SafetensorsContents,
  type SafetensorsTensor,
  writeSafetensors,
} from "./safetensors.js";

export function readSafetensorsFile(path: string): SafetensorsContents {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Could not read safetensors file ${path}: ${reason}`);
  }
  try {
    return readSafetensors(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${path}: ${reason}`, { cause: error });
  }
}

/** Writes a safetensors file atomically, so an interrupted save never leaves a torn file. */
export function writeSafetensorsFile(
  path: string,
  tensors: Map<string, SafetensorsTensor> | Record<string, SafetensorsTensor>,
  metadata?: Record<string, string>,
): void {
  writeFileAtomicSync(path, writeSafetensors(tensors, metadata));
}

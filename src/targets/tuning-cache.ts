import { mkdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { writeFileAtomicSync } from "../formats/atomic-write.js";
import { cacheRoot } from "./cache-dir.js";

// Choices a target measured on this machine (matmul blocking), kept as JSON files in the
// cache folder so that later processes reuse them. A browser keeps them for the page's
// life instead (tuning-cache.browser.ts).

/** The choices saved in `name` (e.g. "wasm-matmul.json"), by key; empty when there are none. */
export function readTuningCache(name: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(join(cacheRoot(), name), "utf8")) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** Saves one choice; a read-only home is no error (the choice is measured again next time). */
export function saveTuningChoice(name: string, key: string, value: unknown): void {
  try {
    mkdirSync(cacheRoot(), { recursive: true });
    const saved = { ...readTuningCache(name), [key]: value };
    writeFileAtomicSync(join(cacheRoot(), name), `${JSON.stringify(saved, null, 2)}\n`);
  } catch {
    // see above
  }
}

/** The engine and CPU a choice was measured on, as part of its key. */
export function machineDescription(): string {
  return `${process.version} ${process.arch} ${cpus()[0]?.model ?? "cpu"}`;
}

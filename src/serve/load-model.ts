import { closeSync, openSync, readSync, statSync } from "node:fs";
import { loadGgufModel } from "../models/llama/load.js";
import { loadCheckpointModel } from "./checkpoint-model.js";
import type { ServedModel } from "./engine.js";
import { servedGguf } from "./gguf-model.js";

/** Whether `path` is a GGUF file (it starts with the magic "GGUF"). */
function isGguf(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const magic = Buffer.alloc(4);
    return readSync(fd, magic, 0, 4, 0) === 4 && magic.toString("latin1") === "GGUF";
  } finally {
    closeSync(fd);
  }
}

/** The model at `path`: a GPT checkpoint directory, or a GGUF file. */
export function loadServedModel(path: string): ServedModel {
  if (statSync(path).isDirectory()) return loadCheckpointModel(path);
  if (isGguf(path)) return servedGguf(loadGgufModel(path));
  throw new Error(`${path} is neither a checkpoint directory nor a GGUF file`);
}

// A BPE tokenizer as a JSON file on disk.
import { readFileSync } from "node:fs";
import { writeFileAtomicSync } from "../formats/atomic-write.js";
import { BpeTokenizer, type BpeTokenizerJson } from "./bpe-tokenizer.js";

/** Writes the tokenizer as JSON, atomically. */
export function saveBpeTokenizer(path: string, tokenizer: BpeTokenizer): void {
  writeFileAtomicSync(path, JSON.stringify(tokenizer.toJSON()));
}

export function loadBpeTokenizer(path: string): BpeTokenizer {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Could not read BPE tokenizer file ${path}: ${reason}`);
  }
  let json: BpeTokenizerJson;
  try {
    json = JSON.parse(text) as BpeTokenizerJson;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`BPE tokenizer file ${path} is not valid JSON: ${reason}`);
  }
  return BpeTokenizer.fromJSON(json);
}

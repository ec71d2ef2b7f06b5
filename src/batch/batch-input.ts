// What a batch job works through: a corpus of texts (to score) or prompts (to continue),
// from a text file with one item per line, a JSON-lines file of {"text": …} objects, or
// a folder whose .txt files are one item each.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

export interface BatchItem {
  index: number;
  text: string;
  /** Where the item came from: "FILE:LINE" or a file in a folder. */
  source: string;
}

function readUtf8(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`cannot read ${path}: ${code === "ENOENT" ? "no such file" : (error as Error).message}`);
  }
}

/** The items of `input`; an input with none is an error. */
export function readBatchInput(input: string): BatchItem[] {
  let items: BatchItem[];
  let isFolder = false;
  try {
    isFolder = statSync(input).isDirectory();
  } catch {}
  if (isFolder) {
    items = readdirSync(input)
      .filter((name) => name.endsWith(".txt"))
      .sort()
      .map((name, index) => ({ index, text: readUtf8(join(input, name)), source: join(input, name) }));
  } else if (input.endsWith(".jsonl")) {
    items = [];
    readUtf8(input)
      .split("\n")
      .forEach((line, i) => {
        if (line.trim() === "") return;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          throw new Error(`${input}: line ${i + 1} is not valid JSON`);
        }
        const text =
          (value as { text?: unknown; prompt?: unknown }).text ?? (value as { prompt?: unknown }).prompt;
        if (typeof text !== "string")
          throw new Error(`${input}: line ${i + 1} has no "text" (or "prompt") string`);
        items.push({ index: items.length, text, source: `${input}:${i + 1}` });
      });
  } else {
    items = [];
    readUtf8(input)
      .split("\n")
      .forEach((line, i) => {
        if (line.trim() !== "") items.push({ index: items.length, text: line, source: `${input}:${i + 1}` });
      });
  }
  if (items.length === 0)
    throw new Error(
      `${input} has no items (a line per item, a .jsonl of {"text"}, or a folder of .txt files)`,
    );
  return items;
}

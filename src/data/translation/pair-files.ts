// Users' own parallel text: one pair per line, source and target separated by a tab
// (.tsv, .txt) or as the first two fields of CSV rows (.csv). A header row naming the
// columns ("source", "target" or two language codes) is skipped.
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { parseCsv } from "../../formats/csv.js";
import type { SentencePair } from "./number-pairs.js";

const HEADER = /^(source|src|target|tgt|[a-z]{2,3}(-[A-Za-z]{2,4})?)$/;

export function readSentencePairs(path: string): SentencePair[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`cannot read the sentence pairs ${path}: ${(error as Error).message}`);
  }
  const csv = extname(path).toLowerCase() === ".csv";
  const rows = csv
    ? parseCsv(text, path)
    : text
        .replace(/^\uFEFF/, "")
        .split(/\r?\n/)
        .map((line) => line.split("\t"));
  const pairs: SentencePair[] = [];
  rows.forEach((fields, index) => {
    if (fields.length === 1 && fields[0]!.trim() === "") return;
    if (fields.length < 2 || fields[0]!.trim() === "" || fields[1]!.trim() === "") {
      throw new Error(
        `${path}:${index + 1}: expected a source and a target ${csv ? "in two CSV fields" : "separated by a tab"}`,
      );
    }
    const [source, target] = [fields[0]!.trim(), fields[1]!.trim()];
    if (index === 0 && HEADER.test(source) && HEADER.test(target)) return;
    pairs.push({ source, target });
  });
  if (pairs.length === 0) throw new Error(`${path}: no sentence pairs`);
  return pairs;
}

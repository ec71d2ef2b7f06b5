// Labelled texts for classification: the examples, their class indices and the class
// names. Loaders for users' own data (a CSV file, a folder per class) check what a
// classifier needs and say in one line what is wrong.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { parseCsv } from "../formats/csv.js";

export interface LabelledTexts {
  /** Where the examples came from (a name or a path), for reports and checkpoints. */
  source: string;
  texts: string[];
  /** Class index of each text: an index into `classes`. */
  labels: number[];
  /** Class names, in index order. */
  classes: string[];
  /** An identifier per text (a file name, a row number), for error messages and splits. */
  ids: string[];
}

/** Decodes UTF-8 strictly (a byte-order mark is dropped), naming `what` if it is not UTF-8. */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`${what} is not valid UTF-8 text`);
  }
}

function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new Error(`Data not found: ${path}`);
    throw new Error(`Could not read ${path}: ${(error as Error).message}`);
  }
}

/**
 * Checks that labelled texts can train a classifier: at least two classes, each with an
 * example, and no empty text set. Returns them unchanged.
 */
export function checkTrainable(data: LabelledTexts): LabelledTexts {
  if (data.texts.length === 0) throw new Error(`${data.source} has no examples`);
  const counts = new Array<number>(data.classes.length).fill(0);
  for (const label of data.labels) counts[label]!++;
  const empty = data.classes.filter((_, c) => counts[c] === 0);
  if (empty.length > 0) throw new Error(`${data.source}: class "${empty[0]}" has no examples`);
  if (data.classes.length < 2) {
    throw new Error(
      `${data.source} has only one class ("${data.classes[0]}"); a classifier needs at least two`,
    );
  }
  return data;
}

/** Class names sorted (so the same data always gives the same indices) and each text's index. */
function indexClasses(names: readonly string[]): { classes: string[]; labels: number[] } {
  const classes = [...new Set(names)].sort();
  const index = new Map(classes.map((c, i) => [c, i]));
  return { classes, labels: names.map((n) => index.get(n)!) };
}

/**
 * A CSV file with a header row naming a text column and a label column (by default
 * "text" and "label"; any other columns are ignored).
 */
export function loadCsvTexts(
  path: string,
  { textColumn = "text", labelColumn = "label" }: { textColumn?: string; labelColumn?: string } = {},
): LabelledTexts {
  const rows = parseCsv(decodeUtf8(readBytes(path), path), path);
  if (rows.length === 0) throw new Error(`${path} is empty`);
  const header = rows[0]!.map((h) => h.trim());
  const textAt = header.indexOf(textColumn);
  const labelAt = header.indexOf(labelColumn);
  for (const [column, at] of [
    [textColumn, textAt],
    [labelColumn, labelAt],
  ] as const) {
    if (at < 0) {
      throw new Error(`${path} has no "${column}" column (its header is: ${header.join(", ")})`);
    }
  }
  const texts: string[] = [];
  const names: string[] = [];
  const ids: string[] = [];
  rows.slice(1).forEach((row, i) => {
    if (row.length === 1 && row[0] === "") return; // a blank line
    const line = i + 2;
    const label = row[labelAt]?.trim() ?? "";
    if (label === "") throw new Error(`${path} line ${line}: the label is empty`);
    if (row[textAt] === undefined) throw new Error(`${path} line ${line}: the row has no text column`);
    texts.push(row[textAt]!);
    names.push(label);
    ids.push(`line ${line}`);
  });
  return checkTrainable({ source: path, texts, ...indexClasses(names), ids });
}

/** A folder with one subfolder per class, each holding one UTF-8 text file per example. */
export function loadFolderTexts(dir: string): LabelledTexts {
  const classDirs = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith("."))
    .map((e) => e.name)
    .sort();
  if (classDirs.length === 0) throw new Error(`${dir} has no class folders (expected one folder per class)`);
  const texts: string[] = [];
  const names: string[] = [];
  const ids: string[] = [];
  for (const name of classDirs) {
    const files = readdirSync(join(dir, name))
      .filter((f) => !f.startsWith(".") && statSync(join(dir, name, f)).isFile())
      .sort();
    if (files.length === 0) throw new Error(`${dir}: class "${name}" has no examples (its folder is empty)`);
    for (const file of files) {
      const path = join(dir, name, file);
      texts.push(decodeUtf8(readBytes(path), path));
      names.push(name);
      ids.push(join(name, file));
    }
  }
  return checkTrainable({ source: dir, texts, ...indexClasses(names), ids });
}

/** Loads a CSV file or a folder per class, whichever `path` is. */
export function loadLabelledTexts(path: string): LabelledTexts {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    throw new Error(`Data not found: ${path}`);
  }
  if (isDirectory) return loadFolderTexts(path);
  if (!/\.(csv|tsv)$/i.test(basename(path))) {
    throw new Error(`${path}: expected a .csv file or a folder with one subfolder per class`);
  }
  return loadCsvTexts(path);
}

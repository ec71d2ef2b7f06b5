import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, posix, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

/**
 * Folders talk down, never up: every import in src/ (type-only ones included) must point
 * to its own entry of docs/architecture.md's layer list or to an entry above it, unless
 * the doc names it as an exception.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const src = join(root, "src");
const doc = readFileSync(join(root, "docs", "architecture.md"), "utf8");

interface Layers {
  /** Entry (folder or file under src/) → its line number in the list. */
  readonly level: Map<string, number>;
  /** "from → to" file pairs the doc allows. */
  readonly exceptions: Set<string>;
}

function readLayers(): Layers {
  const section = doc.slice(doc.indexOf("## Layers"), doc.indexOf("\n## ", doc.indexOf("## Layers") + 1));
  const level = new Map<string, number>();
  for (const line of section.split("\n")) {
    const item = /^(\d+)\.\s+(.*)$/.exec(line);
    if (!item) continue;
    const entries = item[2]!.split(":")[0]!;
    for (const [, entry] of entries.matchAll(/`([^`]+)`/g)) level.set(entry!, Number(item[1]));
  }
  const exceptions = new Set<string>();
  for (const [, from, to] of section.matchAll(/^- `([^`]+)` → `([^`]+)`/gm))
    exceptions.add(`${from} → ${to}`);
  return { level, exceptions };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

/** The entry a path under src/ belongs to: the longest listed folder or file that contains it. */
function entryOf(path: string, layers: Layers): string | undefined {
  let best: string | undefined;
  for (const entry of layers.level.keys()) {
    const inside = path === entry || path.startsWith(`${entry}/`);
    if (inside && (!best || entry.length > best.length)) best = entry;
  }
  return best;
}

/** Relative module specifiers a file imports or re-exports, `import type` included. */
function importsOf(text: string): string[] {
  const specifiers: string[] = [];
  for (const [, spec] of text.matchAll(/^\s*(?:import|export)\b[^;'"]*?\bfrom\s*["'](\.[^"']+)["']/gm))
    specifiers.push(spec!);
  for (const [, spec] of text.matchAll(/^\s*import\s*["'](\.[^"']+)["']/gm)) specifiers.push(spec!);
  for (const [, spec] of text.matchAll(/\bimport\(\s*["'](\.[^"']+)["']\s*\)/g)) specifiers.push(spec!);
  return specifiers;
}

test("docs/architecture.md lists the layers, lowest first", () => {
  const { level } = readLayers();
  assert.ok(level.size >= 10, `found ${level.size} entries in the ## Layers list`);
  for (const name of ["ir", "isa", "compiler", "targets", "runtime", "tensor", "cli", "index.ts"])
    assert.ok(level.has(name), `${name} is placed`);
});

test("every import in src/ points down the layer list (or is a named exception)", () => {
  const layers = readLayers();
  const problems: string[] = [];
  const unplaced = new Set<string>();
  for (const file of sourceFiles(src)) {
    const from = relative(src, file).split("\\").join("/");
    const fromEntry = entryOf(from, layers);
    if (!fromEntry) {
      unplaced.add(from.includes("/") ? from.split("/")[0]! : from);
      continue;
    }
    for (const spec of importsOf(readFileSync(file, "utf8"))) {
      const to = posix.normalize(posix.join(posix.dirname(from), spec)).replace(/\.js$/, ".ts");
      if (to.startsWith("..")) continue; // outside src (package.json and the like)
      const toEntry = entryOf(to, layers);
      if (!toEntry) {
        unplaced.add(to.split("/")[0]!);
        continue;
      }
      if (toEntry === fromEntry || layers.level.get(toEntry)! < layers.level.get(fromEntry)!) continue;
      if (layers.exceptions.has(`${from} → ${to}`)) continue;
      const how = layers.level.get(toEntry) === layers.level.get(fromEntry) ? "sideways" : "up";
      problems.push(`${from} imports ${to}: ${how}, from ${fromEntry} to ${toEntry}`);
    }
  }
  assert.deepEqual(
    [...unplaced],
    [],
    "these folders of src/ have no line in docs/architecture.md's layer list: add them",
  );
  assert.deepEqual(problems, [], "imports that point up or sideways (see docs/architecture.md, Layers)");
});

test("each exception the doc names is still needed", () => {
  const layers = readLayers();
  for (const pair of layers.exceptions) {
    const [from, to] = pair.split(" → ") as [string, string];
    const text = readFileSync(join(src, from), "utf8");
    const used = importsOf(text).some(
      (spec) => posix.normalize(posix.join(posix.dirname(from), spec)).replace(/\.js$/, ".ts") === to,
    );
    assert.ok(used, `${pair} is listed as an exception but no longer imported: remove it from the doc`);
  }
});

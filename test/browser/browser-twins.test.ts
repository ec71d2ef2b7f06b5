import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

/**
 * A module with Node-only code has a browser twin beside it, `x.browser.ts`, with the same
 * exports. Bundlers take the twin through package.json's `browser` field (the playground's
 * Vite config through its plugin); the playground's build test checks that the bundle then
 * imports nothing from `node:`.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const src = join(root, "src");

function twins(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return twins(path);
    return name.endsWith(".browser.ts") ? [relative(root, path)] : [];
  });
}

/** The names a module exports, values and types, read from its source. */
function exportedNames(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  const names = new Set<string>();
  for (const [, name] of text.matchAll(
    /^export\s+(?:declare\s+)?(?:async\s+)?(?:function\*?|class|const|let|interface|type|enum)\s+(\w+)/gm,
  ))
    names.add(name!);
  for (const [, list] of text.matchAll(/^export\s+(?:type\s+)?\{([^}]*)\}/gm))
    for (const item of list!.split(",")) {
      const name = item
        .trim()
        .split(/\s+as\s+/)
        .pop()!
        .replace(/^type\s+/, "");
      if (name) names.add(name);
    }
  return [...names].sort();
}

const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  browser: Record<string, string>;
};
const built = (file: string) => `./${file.replace(/^src\//, "dist/src/").replace(/\.ts$/, ".js")}`;

test("every browser twin has its Node module and the same exports", () => {
  const found = twins(src);
  assert.ok(found.length >= 5, `found ${found.length} twins`);
  for (const twin of found) {
    const node = twin.replace(/\.browser\.ts$/, ".ts");
    assert.ok(existsSync(join(root, node)), `${twin} has ${node}`);
    assert.deepEqual(exportedNames(twin), exportedNames(node), `${twin} exports what ${node} does`);
  }
});

test("package.json's browser field maps each module to its twin, in the built files", () => {
  const expected = Object.fromEntries(
    twins(src).map((twin) => [built(twin.replace(/\.browser\.ts$/, ".ts")), built(twin)]),
  );
  assert.deepEqual(pkg.browser, expected);
});

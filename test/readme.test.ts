import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { CLI_PATH } from "./cli/run-cli.js";

/**
 * The README's code must run and print what the README says it prints. Each ```ts block
 * is run as a module; a ```text block after it (with at most one line of prose between)
 * is its expected output. The snippets import "infiniset" as a user would; here that
 * name is pointed at this build.
 */

const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const INDEX_PATH = fileURLToPath(new URL("../src/index.js", import.meta.url));

interface Snippet {
  code: string;
  expected: string | undefined;
  line: number;
}

function snippets(markdown: string): Snippet[] {
  const blocks = /```ts\n([\s\S]*?)\n```(?:\n\n(?:[^\n`]+\n\n)?```text\n([\s\S]*?)\n```)?/g;
  return [...markdown.matchAll(blocks)].map((m) => ({
    code: m[1]!,
    expected: m[2],
    line: markdown.slice(0, m.index).split("\n").length,
  }));
}

const workDir = mkdtempSync(join(tmpdir(), "infiniset-readme-"));
after(() => rmSync(workDir, { recursive: true, force: true }));

function runModule(code: string, name: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = join(workDir, `${name}.mjs`);
  writeFileSync(
    file,
    code.replaceAll(`from "infiniset"`, `from ${JSON.stringify(pathToFileURL(INDEX_PATH).href)}`),
  );
  return new Promise((resolve) => {
    execFile(process.execPath, [file], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? 1 : 0, stdout, stderr });
    });
  });
}

test('"infiniset" resolves to this build, as the snippets assume', () => {
  assert.equal(createRequire(import.meta.url).resolve("infiniset"), INDEX_PATH);
});

test("every TypeScript snippet in the README runs and prints what the README shows", async () => {
  const found = snippets(README);
  assert.ok(found.length >= 4, `found ${found.length} snippets`);
  const results = await Promise.all(found.map((s, i) => runModule(s.code, `snippet-${i}`)));
  found.forEach((snippet, i) => {
    const { code, stdout, stderr } = results[i]!;
    assert.equal(code, 0, `README.md line ${snippet.line}: the snippet failed:\n${stderr}`);
    if (snippet.expected !== undefined) {
      assert.equal(stdout.trimEnd(), snippet.expected, `README.md line ${snippet.line}: output differs`);
    }
  });
  assert.ok(
    found.every((s) => s.expected !== undefined),
    "every snippet shows its output",
  );
});

test("the README's sample of `infiniset isa` matches the real output (spacing aside)", async () => {
  const sample = /`isa` lists the registry as it is:\n\n```text\n([\s\S]*?)\n```/.exec(README);
  assert.ok(sample, "the isa sample is missing");
  const squeeze = (line: string) => line.replace(/ {2,}/g, "  ").trim();
  const actual = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, [CLI_PATH, "isa"], (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
  });
  const actualLines = new Set(actual.split("\n").map(squeeze));
  for (const line of sample[1]!.split("\n").filter((l) => l !== "...")) {
    assert.ok(actualLines.has(squeeze(line)), `not in the output of infiniset isa: ${line}`);
  }
});

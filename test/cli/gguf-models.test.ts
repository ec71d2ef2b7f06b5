import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { TEST_MODELS, testModelPath } from "../fixtures/test-models.js";
import { TARGET_INDEPENDENT } from "../helpers/target-independent.js";
import { CLI_PATH, runCli } from "./run-cli.js";

let dir: string;
let model: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "cli-gguf-"));
  model = testModelPath(TEST_MODELS.tiny, "Q8_0", dir);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("inspect prints the metadata and the tensor table", { skip: TARGET_INDEPENDENT }, async () => {
  const { code, stdout } = await runCli(["inspect", model]);
  assert.equal(code, 0);
  assert.match(stdout, /GGUF version 3/);
  assert.match(stdout, /llama\.embedding_length\s+uint32 64/);
  assert.match(stdout, /tokenizer\.ggml\.tokens\s+array<string>\[32000\]/);
  assert.match(stdout, /blk\.0\.attn_q\.weight\s+Q8_0\s+\[64, 64\]/);
});

test("inspect of a file that is not GGUF says so in one line", { skip: TARGET_INDEPENDENT }, async () => {
  const bad = join(dir, "bad.gguf");
  writeFileSync(bad, "not a model at all");
  const { code, stderr } = await runCli(["inspect", bad]);
  assert.notEqual(code, 0);
  assert.match(
    stderr,
    /^infiniset: error: .*bad\.gguf: header: not a GGUF file: it starts with bytes 6e 6f 74 20/,
  );
});

test("run streams a continuation; greedy decoding is deterministic", async () => {
  const args = ["run", model, "--prompt", "Once upon a time", "--max-tokens", "8", "--temperature", "0"];
  const first = await runCli(args);
  assert.equal(first.code, 0, first.stderr);
  assert.ok(first.stdout.startsWith("Once upon a time"));
  assert.ok(first.stdout.length > "Once upon a time\n".length);
  assert.match(first.stderr, /generated \d+ in \d+ ms/);
  assert.equal((await runCli(args)).stdout, first.stdout);
});

test("chat answers each line with the model's template and keeps the history", async () => {
  const child = spawn(process.execPath, [CLI_PATH, "chat", model, "--max-tokens", "5", "--temperature", "0"]);
  let stdout = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stdin.end("Hello there\nTell me more\n/exit\n");
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  assert.equal(code, 0);
  assert.equal(stdout.split("> ").length - 1, 3, `three prompts in ${JSON.stringify(stdout)}`);
});

import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { setCompileEnabled } from "../../src/tensor/compile.js";
import { generateText } from "../../src/train/generate-text.js";
import { loadGptCheckpoint } from "../../src/train/gpt-checkpoint.js";
import { TARGET_INDEPENDENT } from "../helpers/target-independent.js";
import { runCli, runCliEach } from "./run-cli.js";
import { generateFlags, tinyTrainedRun } from "./train-fixtures.js";

const { dir, run } = tinyTrainedRun();

test("generate prints the prompt and then one character per token", async () => {
  const { code, stdout, stderr } = await runCli(generateFlags(run, 20, 7));
  assert.equal(stderr, "");
  assert.equal(code, 0);
  assert.ok(stdout.startsWith("the cat"));
  assert.equal([...stdout].length, "the cat".length + 20 + 1);
  assert.ok(stdout.endsWith("\n"));
  // The same seed gives the same text; temperature 0 and top-k 1 both pick the most likely token.
  const again = await runCli(generateFlags(run, 20, 7));
  assert.equal(again.stdout, stdout);
  const greedy = await runCli([
    "generate",
    "--checkpoint",
    run,
    "--prompt",
    "the",
    "--max-tokens",
    "8",
    "--temperature",
    "0",
  ]);
  const topK = await runCli([
    "generate",
    "--checkpoint",
    run,
    "--prompt",
    "the",
    "--max-tokens",
    "8",
    "--top-k",
    "1",
    "--top-p",
    "0.9",
  ]);
  assert.equal(greedy.code, 0);
  assert.equal(topK.stdout, greedy.stdout);
});

test("each token is written as soon as it is sampled, before the next one is computed", () => {
  const loaded = loadGptCheckpoint(run);
  const events: string[] = [];
  const forward = loaded.model.forward.bind(loaded.model);
  loaded.model.forward = (...args: Parameters<typeof forward>) => {
    events.push("forward");
    return forward(...args);
  };
  // Eagerly, so that every step calls forward (a compiled step calls it only when traced).
  setCompileEnabled(false);
  let text: string;
  try {
    text = generateText(loaded, "the", {
      maxTokens: 4,
      write: (piece) => events.push(`write ${piece.length}`),
    });
  } finally {
    setCompileEnabled(true);
  }
  assert.equal(text.length, 4);
  // The prompt, then one model call and one write per token (the last token needs no call after it).
  assert.deepEqual(events, [
    "write 3",
    "forward",
    "write 1",
    "forward",
    "write 1",
    "forward",
    "write 1",
    "forward",
    "write 1",
  ]);
});

test("bad input: a missing or corrupt checkpoint, a foreign model, a prompt outside the vocabulary", {
  skip: TARGET_INDEPENDENT,
}, async () => {
  const other = join(dir, "other");
  writeFileSync(join(dir, "not-a-dir"), "x");
  const foreign = join(dir, "foreign");
  mkdirSync(foreign);
  const config = JSON.parse(readFileSync(join(run, "step-000004", "config.json"), "utf8"));
  writeFileSync(
    join(foreign, "config.json"),
    JSON.stringify({ ...config, model: { type: "ngram", config: {} } }),
  );
  const corrupt = join(dir, "corrupt");
  mkdirSync(corrupt);
  writeFileSync(join(corrupt, "config.json"), JSON.stringify(config));
  writeFileSync(join(corrupt, "model.safetensors"), "garbage!garbage!");
  const mismatched = join(dir, "mismatched");
  mkdirSync(mismatched);
  writeFileSync(
    join(mismatched, "config.json"),
    JSON.stringify({ ...config, model: { type: "gpt", config: { ...config.model.config, nLayer: 2 } } }),
  );
  writeFileSync(
    join(mismatched, "model.safetensors"),
    readFileSync(join(run, "step-000004", "model.safetensors")),
  );

  // Through the command: one line on stderr, nothing on stdout, exit code 1.
  const cases: [string[], RegExp][] = [
    [["--checkpoint", other], /Checkpoint not found: .*other$/],
    [
      ["--checkpoint", foreign],
      /foreign holds a "ngram" model, not a GPT or a recurrent LM \(rnn, lstm, gru\)$/,
    ],
    [
      ["--checkpoint", corrupt],
      /corrupt\/model\.safetensors: safetensors: header length \d+ exceeds the \d+ bytes after it$/,
    ],
    [
      ["--checkpoint", run, "--prompt", "Ahab"],
      /the prompt does not fit the model's vocabulary: CharTokenizer: character "A" \(U\+0041\)/,
    ],
  ];
  const results = await runCliEach(
    cases.map(([args]) => ["generate", ...(args.includes("--prompt") ? args : [...args, "--prompt", "the"])]),
  );
  for (const [i, [args, message]] of cases.entries()) {
    const { code, stdout, stderr } = results[i]!;
    assert.equal(code, 1, args.join(" "));
    assert.equal(stdout, "");
    assert.match(stderr.trimEnd(), new RegExp(`^infiniset: error: .*?${message.source}`));
    assert.equal(stderr.split("\n").length, 2);
  }
  // The same errors from the library, without a process each.
  assert.throws(
    () => loadGptCheckpoint(join(dir, "not-a-dir")),
    /A checkpoint is a directory, but .*not-a-dir is a file$/,
  );
  assert.throws(
    () => loadGptCheckpoint(dir),
    /No checkpoint in .* \(it has neither config\.json nor latest\.json\)$/,
  );
  assert.throws(
    () => loadGptCheckpoint(mismatched),
    /mismatched: loadStateDict \(Gpt\): missing keys: blocks\.1\./,
  );
  assert.throws(() => generateText(loadGptCheckpoint(run), "", { maxTokens: 1 }), /the prompt is empty/);
});

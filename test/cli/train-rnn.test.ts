import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { readCheckpoint } from "../../src/train/checkpoint.js";
import { runCli, runCliEach } from "./run-cli.js";
import { evaluationLines, generateFlags, tinyRunFlags, workspace } from "./train-fixtures.js";

/** A 16-wide recurrent LM on 16-token blocks: a run of a few steps takes about a second. */
function tinyRecurrentFlags(model: string, corpus: string, out: string, iterations = 4): string[] {
  return tinyRunFlags(model, ["--embd", "8", "--hidden", "16"], corpus, out, iterations);
}

test("train lstm --json trains, checkpoints and logs like train gpt; generate and eval use the run", async () => {
  const { dir, corpus } = workspace();
  const run = join(dir, "lstm");
  const trained = await runCli([...tinyRecurrentFlags("lstm", corpus, run), "--json"]);
  assert.equal(trained.stderr, "");
  assert.equal(trained.code, 0);
  assert.deepEqual(
    evaluationLines(trained.stdout).map((l) => l.iter),
    [0, 2, 4],
  );
  const checkpoint = readCheckpoint(run);
  assert.equal(checkpoint.config.model.type, "lstm");
  assert.deepEqual(checkpoint.config.model.config, {
    kind: "lstm",
    vocabSize: 14,
    embeddingSize: 8,
    hiddenSize: 16,
    numLayers: 1,
    dropout: 0,
  });
  assert.deepEqual(
    [...checkpoint.weights.keys()],
    [
      "embedding.weight",
      "rnn.weight_ih_l0",
      "rnn.weight_hh_l0",
      "rnn.bias_ih_l0",
      "rnn.bias_hh_l0",
      "head.weight",
      "head.bias",
    ],
  );

  const generate = generateFlags(run, 12, 3);
  const sampled = await runCli(generate);
  assert.equal(sampled.code, 0, sampled.stderr);
  assert.ok(sampled.stdout.startsWith("the cat"));
  assert.equal([...sampled.stdout].length, "the cat".length + 12 + 1);
  assert.equal((await runCli(generate)).stdout, sampled.stdout);
  const greedy = await runCli([...generate, "--temperature", "0", "--top-k", "2"]);
  assert.equal(greedy.code, 0, greedy.stderr);

  const evaluated = await runCli(["eval", "--checkpoint", run]);
  assert.equal(evaluated.code, 0, evaluated.stderr);
  assert.match(
    evaluated.stdout,
    /^validation loss \d+\.\d{4}, perplexity \d+\.\d{2}\n\(2 random batches of 4 × 16 tokens from the last 10% of .*corpus\.txt, 144 tokens\)\n$/,
  );
});

test("train gru at word level without --json describes the run; resuming it as another model is refused", async () => {
  const { dir, corpus } = workspace();
  const run = join(dir, "gru");
  const trained = await runCli([
    ...tinyRecurrentFlags("gru", corpus, run, 2),
    "--level",
    "word",
    "--block-size",
    "4",
  ]);
  assert.equal(trained.code, 0, trained.stderr);
  // The corpus is one line of 7 distinct words ("mat." and "log." with their full stops);
  // the vocabulary adds <unk> and "\n".
  assert.match(
    trained.stdout,
    /^GRU: 1 layers, embedding 8, hidden 16, block 4: 0\.00M parameters, vocabulary 9 \(word\)\ndata: .*corpus\.txt, 360 tokens \(324 train, 36 validation\)\n/,
  );
  assert.match(trained.stdout, /\ntraining done: 2 iterations, validation loss \d\.\d{4}\n$/);
  const cases: [string[], RegExp][] = [
    [
      [...tinyRecurrentFlags("lstm", corpus, run, 4), "--resume"],
      /gru.step-000002 holds a "gru" model, not an LSTM$/,
    ],
    [
      [...tinyRecurrentFlags("lstm", corpus, join(dir, "x")), "--heads", "2"],
      /--heads does not apply to lstm models$/,
    ],
    [
      [...tinyRecurrentFlags("gpt", corpus, join(dir, "y")), "--hidden", "2"],
      /--hidden does not apply to gpt models$/,
    ],
    [
      [...tinyRecurrentFlags("rnn", corpus, join(dir, "z")), "--level", "bytes"],
      /option '--level <level>' argument 'bytes' is invalid/,
    ],
  ];
  const results = await runCliEach(cases.map(([args]) => args));
  for (const [i, [args, message]] of cases.entries()) {
    const { code, stdout, stderr } = results[i]!;
    assert.notEqual(code, 0, args.join(" "));
    assert.equal(stdout, "");
    assert.match(stderr.trimEnd(), new RegExp(`^infiniset: error: .*${message.source}`));
  }
});

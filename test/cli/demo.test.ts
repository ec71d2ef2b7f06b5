import assert from "node:assert/strict";
import { test } from "node:test";
import { runCli } from "./run-cli.js";

test("demo trains: the loss goes down, and later steps compile nothing new", async () => {
  const { code, stdout, stderr } = await runCli(["demo", "--steps", "40", "--seed", "3"]);
  assert.equal(code, 0, stderr);
  const losses = [...stdout.matchAll(/^step +(\d+) +loss (\d+\.\d+)$/gm)].map((m) => Number(m[2]));
  assert.ok(losses.length >= 3, stdout);
  assert.ok(losses.at(-1)! < losses[0]!, `loss did not go down: ${losses.join(" → ")}`);
  assert.match(stdout, /^accuracy \d+\.\d% \(\d+ of 200 points\)$/m);
  assert.match(stdout, /tensor\(\[\[.*shape=\[4,2\], dtype=float32\)/s);
  assert.match(stdout, /^ {2}0 in the other 39 steps$/m);
});

test("demo is reproducible from its seed", async () => {
  const [a, b] = await Promise.all([
    runCli(["demo", "--steps", "5", "--seed", "7"]),
    runCli(["demo", "--steps", "5", "--seed", "7"]),
  ]);
  const lossLines = (s: string) => s.split("\n").filter((l) => l.startsWith("step "));
  assert.deepEqual(lossLines(a.stdout), lossLines(b.stdout));
  assert.equal(lossLines(a.stdout).length, 6);
});

test("demo rejects a bad --steps with one clear line", async () => {
  const { code, stdout, stderr } = await runCli(["demo", "--steps", "many"]);
  assert.notEqual(code, 0);
  assert.equal(stdout, "");
  assert.match(stderr, /^infiniset: error: option '--steps <n>' argument 'many' is invalid/);
  assert.equal(stderr.trimEnd().split("\n").length, 1);
});

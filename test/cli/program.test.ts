import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { CommanderError } from "commander";
import { createProgram } from "../../src/cli/program.js";
import { TARGET_INDEPENDENT } from "../helpers/target-independent.js";
import { runCli } from "./run-cli.js";

/**
 * `infiniset COMMAND --help` parsed in this process, as main.js parses it, with the exit
 * and the output caught: a process per command would spend half a minute starting them.
 */
function helpInProcess(command: string): { code: number; stdout: string } {
  const program = createProgram();
  let stdout = "";
  for (const each of [program, ...program.commands]) {
    each.exitOverride().configureOutput({ writeOut: (text) => (stdout += text) });
  }
  try {
    program.parse([command, "--help"], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return { code: error.exitCode, stdout };
    throw error;
  }
  return { code: 0, stdout };
}

test("--help works for the program and every command", { skip: TARGET_INDEPENDENT }, async () => {
  const root = await runCli(["--help"]);
  assert.equal(root.code, 0);
  assert.match(root.stdout, /^Usage: infiniset/);
  const commands = [...root.stdout.matchAll(/^ {2}([a-z]+) /gm)]
    .map((m) => m[1]!)
    .filter((c) => c !== "help");
  assert.deepEqual(commands.sort(), [
    "attention",
    "batch",
    "caption",
    "chat",
    "demo",
    "detect",
    "distill",
    "doctor",
    "draw",
    "eval",
    "explain",
    "export",
    "generate",
    "inspect",
    "isa",
    "plot",
    "prune",
    "quantize",
    "run",
    "serve",
    "train",
    "transcribe",
    "translate",
    "tune",
    "worker",
  ]);
  for (const command of commands) {
    const { code, stdout } = helpInProcess(command);
    assert.equal(code, 0, command);
    assert.match(stdout, new RegExp(`^Usage: infiniset ${command}`), command);
  }
  // And one command's help through a process of its own, as a user runs it.
  const train = await runCli(["train", "--help"]);
  assert.equal(train.code, 0);
  assert.equal(train.stdout, helpInProcess("train").stdout);
});

test("--version prints the version in package.json", { skip: TARGET_INDEPENDENT }, async () => {
  const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8"));
  const { code, stdout } = await runCli(["--version"]);
  assert.equal(code, 0);
  assert.equal(stdout.trim(), pkg.version);
});

test("an unknown command exits non-zero with a clear message", { skip: TARGET_INDEPENDENT }, async () => {
  const { code, stdout, stderr } = await runCli(["frobnicate"]);
  assert.notEqual(code, 0);
  assert.equal(stdout, "");
  assert.equal(stderr.trim(), "infiniset: error: unknown command 'frobnicate'");
});

test("an error inside a command is one line on stderr; INFINISET_DEBUG=1 adds the stack", {
  skip: TARGET_INDEPENDENT,
}, async () => {
  const plain = await runCli(["demo", "--steps", "1"], { INFINISET_TARGET: "no-such-target" });
  assert.notEqual(plain.code, 0);
  assert.match(plain.stderr, /^infiniset: error: unknown target "no-such-target" \(available: [a-z, ]+\)\n$/);
  const debug = await runCli(["demo", "--steps", "1"], {
    INFINISET_TARGET: "no-such-target",
    INFINISET_DEBUG: "1",
  });
  assert.notEqual(debug.code, 0);
  assert.match(debug.stderr, /^infiniset: error: unknown target/);
  assert.match(debug.stderr, /\n {4}at /);
});

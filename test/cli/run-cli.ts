import { execFile } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";

/** The built CLI, as `npm start` and `npx infiniset` run it (this file is dist/test/cli/run-cli.js). */
export const CLI_PATH = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/src/cli/main.js ...args` and collects its exit code and output, failing or not. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI_PATH, ...args],
      { env: { ...process.env, INFINISET_DEBUG: "", ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * runCli for each argument list, results in the same order. The runs are independent, so
 * they run a few at a time: each is mostly a process starting, and on two cores a file's
 * tests otherwise leave one core idle.
 */
export async function runCliEach(
  argLists: readonly (readonly string[])[],
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult[]> {
  const results: CliResult[] = new Array(argLists.length);
  let next = 0;
  const runner = async () => {
    while (next < argLists.length) {
      const i = next++;
      results[i] = await runCli(argLists[i]!, env);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_RUNS, argLists.length) }, runner));
  return results;
}

const CONCURRENT_RUNS = Math.max(2, availableParallelism());

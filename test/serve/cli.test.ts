// `infiniset serve` as a user runs it: a checkpoint directory, a port, SIGTERM to stop.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { MODEL_ID, writeTinyCheckpoint } from "./tiny-model.js";

const main = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));

function startCli(args: string[]) {
  const child = spawn(process.execPath, [main, "serve", ...args], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    child.stderr.on("data", (data: Buffer) => {
      stderr += data.toString();
      const url = /listening on (http:\/\/\S+);/.exec(stderr)?.[1];
      if (url && stderr.includes("ready:")) resolve(url);
    });
    child.on("exit", () => reject(new Error(`serve exited early: ${stderr}`)));
  });
  return { child, ready, exited, stderr: () => stderr };
}

test("SIGTERM lets a running stream finish whole, then the server exits 0", async () => {
  const checkpoint = writeTinyCheckpoint();
  const keyFile = join(checkpoint, "..", "keys.txt");
  writeFileSync(keyFile, "# keys\nsecret-1\n");
  const cli = startCli([checkpoint, "--port", "0", "--parallel", "2", "--api-key-file", keyFile]);
  try {
    const url = await cli.ready;
    assert.match(cli.stderr(), new RegExp(`ready: model "${MODEL_ID}", 2 slots of 256 positions`));
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer secret-1" },
      body: JSON.stringify({
        model: MODEL_ID,
        messages: [{ role: "user", content: "hi" }],
        max_tokens: 80,
        stream: true,
      }),
    });
    assert.equal(response.status, 200);
    const reader = response.body!.getReader();
    let body = new TextDecoder().decode((await reader.read()).value);
    cli.child.kill("SIGTERM");
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      body += new TextDecoder().decode(value);
    }
    assert.ok(body.endsWith("data: [DONE]\n\n"), "the stream ends with [DONE]");
    const events = body.slice(0, -2).split("\n\n");
    // Role chunk, 80 deltas, the finish chunk, [DONE]: every event whole.
    assert.equal(events.length, 1 + 80 + 1 + 1);
    for (const e of events.slice(0, -1)) JSON.parse(e.slice("data: ".length));
    assert.equal(await cli.exited, 0);
    assert.match(cli.stderr(), /SIGTERM: finishing the requests in progress/);
  } finally {
    cli.child.kill("SIGKILL");
  }
});

test("a model path that is not a checkpoint fails with one clear line", async () => {
  const file = join(writeTinyCheckpoint(), "..", "notes.txt");
  writeFileSync(file, "hello");
  const cli = startCli([file, "--port", "0"]);
  await assert.rejects(cli.ready);
  assert.equal(await cli.exited, 1);
  assert.match(
    cli.stderr(),
    /infiniset: error: .*notes\.txt is neither a checkpoint directory nor a GGUF file/,
  );
});

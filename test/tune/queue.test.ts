// Sweeps through a real Redis with three `infiniset worker` processes: every trial recorded
// once, through a worker killed mid-trial and through a Redis restart; an unreachable Redis
// is one clear error line.
import assert from "node:assert/strict";
import { type ChildProcess, execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { scoreText } from "../../src/jobs/batch-jobs.js";
import { loadLanguageModelCheckpoint } from "../../src/train/language-model-checkpoint.js";
import { readResults } from "../../src/tune/results-log.js";
import type { SweepEvent } from "../../src/tune/sweep.js";
import { tune } from "../../src/tune/tune.js";
import { CLI_PATH, runCli } from "../cli/run-cli.js";
import { tinyTrainedRun } from "../cli/train-fixtures.js";
import { RedisServer, redisSkipReason } from "../helpers/redis-server.js";
import { TARGET_INDEPENDENT } from "../helpers/target-independent.js";
import {
  ORCHESTRATION_ONCE,
  startWorker,
  tinySweep,
  type WorkerProcess,
  workspace,
  writeConfig,
} from "./fixtures.js";

const skip = ORCHESTRATION_ONCE ?? redisSkipReason();

/** Each trial exactly once, and `count` of them. */
function assertEachTrialOnce(out: string, count: number): void {
  const records = readResults(join(out, "results.jsonl"));
  const trials = records.map((r) => r.trial).sort((a, b) => a - b);
  assert.deepEqual(
    trials,
    Array.from({ length: count }, (_, i) => i),
    `results: ${JSON.stringify(trials)}`,
  );
  for (const record of records) assert.equal(record.status, "completed", record.error);
  const lines = readFileSync(join(out, "results.jsonl"), "utf8").trim().split("\n");
  assert.equal(lines.length, count);
}

describe("tune through Redis with three workers", { skip }, () => {
  let redis: RedisServer;
  const { dir, corpus } = workspace();
  let queueNumber = 0;
  const workers: WorkerProcess[] = [];

  before(async () => {
    redis = await RedisServer.start();
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await redis.dispose();
  });

  /** Three workers on a queue of their own, with a short lock so a dead worker's job comes back fast. */
  async function startWorkers(queueName: string): Promise<WorkerProcess[]> {
    const started = [0, 1, 2].map(() =>
      startWorker([
        "--queue",
        redis.url,
        "--queue-name",
        queueName,
        "--work-dir",
        join(dir, "jobs"),
        "--slots",
        "1",
        "--lock-seconds",
        "2",
      ]),
    );
    workers.push(...started);
    await Promise.all(started.map((w) => w.waitFor(/ worker .*slots1:/)));
    return started;
  }

  /** `infiniset tune` of `trials` tiny trials through the queue, in a process of its own. */
  function sweepThroughQueue(name: string, queueName: string, trials: number, iterations = 6) {
    const out = join(dir, name);
    const config = writeConfig(dir, tinySweep(corpus, { budget: { trials } }, iterations), `${name}.json`);
    const args = ["tune", "--config", config, "--out", out, "--queue", redis.url, "--queue-name", queueName];
    let child: ChildProcess | undefined;
    const done = new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      child = execFile(
        process.execPath,
        [CLI_PATH, ...args],
        { timeout: 120_000 },
        (error, stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
        },
      );
    });
    return { out, done, process: () => child! };
  }

  test("a 12-trial random sweep completes with 12 distinct results, progress streamed back", async () => {
    const queueName = `q${queueNumber++}`;
    const pool = await startWorkers(queueName);
    const out = join(dir, "sweep-12");
    const events: SweepEvent[] = [];
    const result = await tune({
      config: tinySweep(corpus, { budget: { trials: 12 } }),
      out,
      queue: redis.url,
      queueName,
      onEvent: (event) => events.push(event),
    });
    assert.equal(result.run.reason, "completed");
    assertEachTrialOnce(out, 12);
    const params = new Set(result.run.records.map((r) => JSON.stringify(r.params)));
    assert.equal(params.size, 12);
    assert.ok(
      events.some((e) => e.type === "evaluation"),
      "evaluations streamed from the workers",
    );
    const hosts = new Set(result.run.records.map((r) => r.worker));
    assert.ok(hosts.size >= 2, `trials ran on ${[...hosts].join(", ")}`);
    await Promise.all(pool.map((w) => w.stop()));
  });

  test("kill -9 of a worker mid-trial: the trial is retried and every trial recorded once", async () => {
    const queueName = `q${queueNumber++}`;
    const pool = await startWorkers(queueName);
    // Six trials are enough here: what matters is the one whose worker dies.
    const sweep = sweepThroughQueue("sweep-kill", queueName, 6, 10);
    // The first worker to start a trial is the victim: which one the queue hands a job
    // first is the queue's choice, and a loaded machine can leave any one of them idle.
    const [victim, line] = await Promise.any(
      pool.map(async (w) => [w, await w.waitFor(/: train .* \(attempt 1\)/)] as const),
    );
    const jobId = line.split(" ")[1]!.replace(/:$/, "");
    victim.child.kill("SIGKILL");
    const { code, stderr } = await sweep.done;
    assert.equal(code, 0, stderr);
    assertEachTrialOnce(sweep.out, 6);
    const retried = pool
      .filter((w) => w !== victim)
      .some((w) => w.lines.some((l) => l.includes(`${jobId}: train`) && /attempt [2-9]/.test(l)));
    assert.ok(retried, `${jobId} was taken up again by another worker`);
    await Promise.all(pool.map((w) => w.stop()));
  });

  test("a Redis restart mid-sweep (append-only file on) loses no result", async () => {
    const queueName = `q${queueNumber++}`;
    const pool = await startWorkers(queueName);
    const sweep = sweepThroughQueue("sweep-restart", queueName, 6);
    await pool[0]!.waitFor(/: completed in/);
    await redis.restart(2500);
    const { code, stderr } = await sweep.done;
    assert.equal(code, 0, stderr);
    assertEachTrialOnce(sweep.out, 6);
    await Promise.all(pool.map((w) => w.stop()));
  });

  test("the coordinator killed mid-sweep and run again with --resume collects what finished meanwhile", async () => {
    const queueName = `q${queueNumber++}`;
    const pool = await startWorkers(queueName);
    const sweep = sweepThroughQueue("sweep-coordinator", queueName, 6);
    await pool[0]!.waitFor(/: completed in/);
    sweep.process().kill("SIGKILL");
    await sweep.done;
    const config = join(dir, "sweep-coordinator.json");
    const args = [
      "tune",
      "--config",
      config,
      "--out",
      sweep.out,
      "--queue",
      redis.url,
      "--queue-name",
      queueName,
    ];
    const { code, stdout, stderr } = await runCli([...args, "--resume"]);
    assert.equal(code, 0, stderr);
    assertEachTrialOnce(sweep.out, 6);
    // Jobs that ran while no coordinator was there were collected, not run again.
    const started = pool.flatMap((w) => w.lines.filter((l) => /: train /.test(l)));
    assert.equal(started.length, 6, started.join("\n"));
    assert.match(stdout, /6 trials/);
    await Promise.all(pool.map((w) => w.stop()));
  });

  test("batch eval goes through the same queue: each text scored once, as it is scored here", async () => {
    const queueName = `q${queueNumber++}`;
    const pool = await startWorkers(queueName);
    const { run } = tinyTrainedRun();
    const input = join(dir, "texts.txt");
    const texts = [
      "the cat sat on the mat.",
      "the dog sat on the log.",
      "on the mat",
      "the log",
      "a cat",
      "the dog",
    ];
    writeFileSync(input, `${texts.join("\n")}\n`);
    const out = join(dir, "scores.jsonl");
    const args = ["batch", "eval", "--checkpoint", run, "--input", input, "--out", out, "--per-job", "2"];
    const { code, stderr } = await runCli([...args, "--queue", redis.url, "--queue-name", queueName]);
    assert.equal(code, 0, stderr);
    const results = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { index: number; loss: number });
    assert.deepEqual(
      results.map((r) => r.index),
      [0, 1, 2, 3, 4, 5],
    );
    const loaded = loadLanguageModelCheckpoint(run);
    for (const [i, text] of texts.entries()) {
      assert.ok(Math.abs(results[i]!.loss - scoreText(loaded, text).loss) < 1e-5, text);
    }
    const jobs = pool.flatMap((w) => w.lines.filter((l) => /: eval 2 texts/.test(l)));
    assert.equal(jobs.length, 3);
    await Promise.all(pool.map((w) => w.stop()));
  });
});

describe("an unreachable Redis", { skip: TARGET_INDEPENDENT }, () => {
  test("tune --queue and worker --queue fail with one clear error line", async () => {
    const { dir, corpus } = workspace();
    const config = writeConfig(dir, tinySweep(corpus));
    for (const args of [
      ["tune", "--config", config, "--out", join(dir, "out"), "--queue", "redis://127.0.0.1:1"],
      ["worker", "--queue", "redis://127.0.0.1:1"],
    ]) {
      const { code, stdout, stderr } = await runCli(args);
      assert.notEqual(code, 0);
      const lines = stderr.trim().split("\n");
      assert.equal(lines.length, 1, stderr);
      assert.match(
        lines[0]!,
        /^infiniset: error: cannot reach Redis at redis:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/,
      );
      assert.doesNotMatch(stdout, /trial/);
    }
  });
});

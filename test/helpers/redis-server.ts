// A real redis-server for tests: on a free loopback port, its data in a temporary directory,
// with the append-only file on (fsync on every write) so a restart loses nothing. `.ci/run`
// installs Debian's redis-server; without it the tests that need it are skipped, except in
// CI, where a missing server is a failure.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function redisServerPath(): string | undefined {
  try {
    return execFileSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Why the Redis tests cannot run here, or undefined when they can (a missing server in CI throws). */
export function redisSkipReason(): string | undefined {
  if (redisServerPath()) return undefined;
  if (process.env.CI) throw new Error("redis-server is not installed; .ci/run should have installed it");
  return "redis-server is not installed (apt-get install redis-server)";
}

/** A port nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export class RedisServer {
  private process: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), mkdtempSync(join(tmpdir(), "infiniset-redis-")));
    await server.startProcess();
    return server;
  }

  private async startProcess(): Promise<void> {
    const args = ["--port", String(this.port), "--bind", "127.0.0.1", "--dir", this.dir];
    args.push("--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no");
    const child = spawn(redisServerPath()!, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.process = child;
    let output = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
      child.stdout!.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("Ready to accept connections")) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with code ${code}:\n${output}`));
      });
    });
    child.removeAllListeners("exit");
  }

  /** Shuts the server down as `redis-cli shutdown` would (SIGTERM: the append-only file is flushed). */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    this.process = undefined;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  }

  /** Stops the server and starts it again on the same port and data. */
  async restart(downMs = 0): Promise<void> {
    await this.stop();
    await new Promise((r) => setTimeout(r, downMs));
    await this.startProcess();
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

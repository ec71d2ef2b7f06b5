import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { BASE_FLAGS, type CCompiler, contractFlag } from "./c-compiler.js";
import { pruneCache } from "./cache-pruning.js";
import { bindKernel, type NativeKernelFunction } from "./ffi.js";
import { KERNEL_NAME, type NativeKernelSource } from "./native-kernel.js";

/** A compiler that failed (or could not run) on a kernel: the target falls back for that program. */
export class NativeCompileError extends Error {}

/** A compiled kernel: its library, its symbol, and the function bound in this thread. */
export interface CompiledKernel {
  readonly path: string;
  readonly symbol: string;
  readonly call: NativeKernelFunction;
}

/** What the cache did in this process: libraries compiled, and found on disk. */
export interface CompileStats {
  compiled: number;
  fromDisk: number;
}

/**
 * Compiled kernels, one shared library per kernel source, in the cache folder under the
 * hash of source + compiler + flags + CPU features: a kernel is compiled once per machine
 * and found again by every later program and process that needs it, in whatever order.
 * The kernels a program lacks are compiled together, one compiler process per core.
 */
export class KernelLibraries {
  private readonly loaded = new Map<string, CompiledKernel>();
  readonly stats: CompileStats = { compiled: 0, fromDisk: 0 };
  /** The cache is pruned once per process, before its first compile. */
  private pruned = false;

  constructor(
    readonly compiler: CCompiler,
    readonly cacheDir: string,
  ) {
    mkdirSync(cacheDir, { recursive: true });
  }

  private flags(code: NativeKernelSource): string[] {
    return [...BASE_FLAGS, ...this.compiler.cpuFlag, contractFlag(code.contract)];
  }

  private hashOf(code: NativeKernelSource): string {
    return createHash("sha256")
      .update(`${this.compiler.key}\n${this.flags(code).join(" ")}\n${code.source}`)
      .digest("hex")
      .slice(0, 32);
  }

  /** The compiled function of each source (the same source twice gives the same function). */
  resolve(codes: readonly NativeKernelSource[]): CompiledKernel[] {
    const hashes = codes.map((c) => this.hashOf(c));
    const missing = new Map<string, NativeKernelSource>();
    hashes.forEach((hash, i) => {
      if (!this.loaded.has(hash) && !existsSync(this.libraryPath(hash))) missing.set(hash, codes[i]!);
    });
    if (missing.size > 0) {
      if (!this.pruned) {
        this.pruned = true;
        pruneCache(this.cacheDir);
      }
      this.compile(missing);
    }
    return hashes.map((hash) => {
      let kernel = this.loaded.get(hash);
      if (!kernel) {
        const path = this.libraryPath(hash);
        const symbol = `k_${hash}`;
        if (!missing.has(hash)) {
          this.stats.fromDisk++;
          markUsed(path);
        }
        try {
          kernel = { path, symbol, call: bindKernel(path, symbol) };
        } catch (error) {
          // A damaged or foreign file in the cache: compile it anew once.
          rmSync(path, { force: true });
          throw new NativeCompileError(`cannot load ${path}: ${(error as Error).message}`);
        }
        this.loaded.set(hash, kernel);
      }
      return kernel;
    });
  }

  libraryPath(hash: string): string {
    return join(this.cacheDir, `${hash}.so`);
  }

  private compile(jobs: ReadonlyMap<string, NativeKernelSource>) {
    const unique = `${process.pid}.${Math.random().toString(36).slice(2)}`;
    const work = [...jobs].map(([hash, code]) => {
      const source = join(this.cacheDir, `${hash}.c`);
      const temporary = join(this.cacheDir, `${hash}.${unique}.tmp.so`);
      const errors = join(this.cacheDir, `${hash}.${unique}.err`);
      writeFileSync(`${source}.${unique}`, code.source.replaceAll(KERNEL_NAME, `k_${hash}`));
      renameSync(`${source}.${unique}`, source);
      const args = [...this.compiler.command, ...this.flags(code), "-o", temporary, source, "-lm"];
      return { hash, args, temporary, errors };
    });
    runInParallel(work);
    const failures: string[] = [];
    for (const job of work) {
      const errorText = existsSync(job.errors) ? readFileSync(job.errors, "utf8").trim() : "";
      rmSync(job.errors, { force: true });
      if (existsSync(job.temporary)) {
        // Renaming is atomic: a process running beside this one sees the whole library or none.
        renameSync(job.temporary, this.libraryPath(job.hash));
        this.stats.compiled++;
      } else {
        failures.push(`${job.args.join(" ")}\n${errorText || "(no output)"}`);
      }
    }
    if (failures.length > 0) {
      const first = failures[0]!.split("\n").slice(0, 12).join("\n");
      throw new NativeCompileError(`${failures.length} kernel(s) failed to compile; the first:\n${first}`);
    }
  }
}

/** Marks a library as recently used, for pruning (least recently used go first). */
function markUsed(path: string) {
  try {
    const now = new Date();
    utimesSync(path, now, now);
  } catch {
    // a read-only cache: pruning is someone else's business
  }
}

function quote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** Runs the compiler jobs, as many at once as there are cores, and waits for all. */
function runInParallel(work: readonly { args: readonly string[]; errors: string }[]) {
  const width = Math.max(1, availableParallelism());
  const lines: string[] = [];
  work.forEach((job, i) => {
    lines.push(`${job.args.map(quote).join(" ")} 2>${quote(job.errors)} &`);
    if ((i + 1) % width === 0 || i === work.length - 1) lines.push("wait");
  });
  const result = spawnSync("/bin/sh", ["-c", lines.join("\n")], { encoding: "utf8", timeout: 600_000 });
  if (result.error) throw new NativeCompileError(`cannot run the C compiler: ${result.error.message}`);
}

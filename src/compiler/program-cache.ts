import type { Program } from "./program.js";

/**
 * The one cache of compiled programs, least recently used first out, bounded by a count and
 * by bytes. Keys are target + structural key. What a target compiles a program into
 * (a wasm module, bound C kernels) hangs off the Program weakly, so it goes when the cache
 * drops the program: a server that sees many shapes keeps at most the limits in memory.
 */
export interface ProgramCacheLimits {
  /** Programs kept at most (default 1024). */
  readonly programs: number;
  /** Bytes kept at most: the programs' estimated size plus what targets report (default 256 MiB). */
  readonly bytes: number;
}

export interface ProgramCacheStats {
  /** Programs and bytes held now. */
  readonly programs: number;
  readonly bytes: number;
  readonly hits: number;
  readonly misses: number;
  readonly evictions: number;
  readonly limits: ProgramCacheLimits;
}

interface Entry {
  readonly program: Program;
  readonly bytes: number;
}

export class ProgramCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(private limits: ProgramCacheLimits) {
    checkLimits(limits);
  }

  /** The cached program for `key`, made the most recently used; or undefined. */
  get(key: string): Program | undefined {
    const entry = this.entries.get(key);
    if (!entry) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.program;
  }

  /** Adds a program of `bytes`, then drops the least recently used ones beyond the limits. */
  set(key: string, program: Program, bytes: number): void {
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.bytes;
      this.entries.delete(key);
    }
    this.entries.set(key, { program, bytes });
    this.bytes += bytes;
    this.evict();
  }

  setLimits(limits: ProgramCacheLimits): void {
    checkLimits(limits);
    this.limits = limits;
    this.evict();
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  stats(): ProgramCacheStats {
    return {
      programs: this.entries.size,
      bytes: this.bytes,
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
      limits: this.limits,
    };
  }

  /** The newest entry always stays, even alone over the byte limit: it is about to run. */
  private evict(): void {
    while (
      this.entries.size > 1 &&
      (this.entries.size > this.limits.programs || this.bytes > this.limits.bytes)
    ) {
      const [oldest, entry] = this.entries.entries().next().value as [string, Entry];
      this.entries.delete(oldest);
      this.bytes -= entry.bytes;
      this.evictions++;
    }
  }
}

function checkLimits(limits: ProgramCacheLimits): void {
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(`program cache: ${name} must be a positive integer, got ${value}`);
  }
}

/** A rough size of a Program itself: its steps, slots and attributes. */
export function programBytes(program: Program): number {
  let bytes = 256 + 64 * program.slots.length;
  for (const step of program.steps) bytes += 128 + 8 * step.inputs.length + JSON.stringify(step.attrs).length;
  return bytes;
}

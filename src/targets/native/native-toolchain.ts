import { type CCompiler, compilerCommand, detectCompiler } from "./c-compiler.js";
import { nativeCacheDir } from "./cache-dir.js";
import { type CompileStats, KernelLibraries } from "./kernel-libraries.js";
import { type MatmulTuning, matmulTuning } from "./matmul-tuning.js";

/**
 * The compiler, its kernel cache and the measured matmul blocking, shared by every native
 * target of the process that uses the same compiler command and cache folder: detected
 * once, on first need.
 */
export interface NativeToolchain {
  readonly compiler: CCompiler;
  readonly libraries: KernelLibraries;
  readonly matmulTuning: () => MatmulTuning;
}

const toolchains = new Map<string, NativeToolchain>();

export function nativeToolchain(
  command: readonly string[] = compilerCommand(),
  cacheDir: string = nativeCacheDir(),
): NativeToolchain {
  const key = `${command.join(" ")}\n${cacheDir}`;
  let toolchain = toolchains.get(key);
  if (!toolchain) {
    const compiler = detectCompiler(command);
    const libraries = new KernelLibraries(compiler, cacheDir);
    let tuning: MatmulTuning | undefined;
    toolchain = { compiler, libraries, matmulTuning: () => (tuning ??= matmulTuning(libraries)) };
    toolchains.set(key, toolchain);
  }
  return toolchain;
}

/** Kernel libraries compiled, and found in the cache, by this process so far (all native targets together). */
export function nativeCompileStats(): CompileStats {
  const total: CompileStats = { compiled: 0, fromDisk: 0 };
  for (const { libraries } of toolchains.values()) {
    total.compiled += libraries.stats.compiled;
    total.fromDisk += libraries.stats.fromDisk;
  }
  return total;
}

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpus } from "node:os";

/**
 * The system C compiler: `cc`, or the command in `CC` (which may carry arguments, e.g.
 * "ccache gcc"). Detected once: its version line, and the target macros it defines for
 * this machine's CPU (`-march=native`), which name the CPU features and go into every
 * compiled library's cache key, with the CPU model and the flags.
 */
export interface CCompiler {
  /** The command and its leading arguments. */
  readonly command: readonly string[];
  /** First line of `--version`. */
  readonly version: string;
  /** The flag that tunes for this CPU (`-march=native`, `-mcpu=native` on some Arm compilers), or none. */
  readonly cpuFlag: readonly string[];
  /** CPU features the compiler targets, lower case (avx512f, fma, neon, …). */
  readonly features: readonly string[];
  /** float32 lanes of the widest vector registers the compiler targets here. */
  readonly lanes: number;
  /** Hash of everything above and the CPU model: part of every cache key. */
  readonly key: string;
}

export class CompilerUnavailableError extends Error {}

/** Flags every library is compiled with (plus the CPU flag, and -ffp-contract per kernel). */
export const BASE_FLAGS = [
  "-O3",
  "-fPIC",
  "-shared",
  "-std=gnu11",
  // Math functions without errno (sqrt becomes one instruction) and without the
  // assumption that FP exceptions trap (lets conditionals vectorise); values unchanged.
  "-fno-math-errno",
  "-fno-trapping-math",
];

export function contractFlag(contract: boolean): string {
  return contract ? "-ffp-contract=fast" : "-ffp-contract=off";
}

export function compilerCommand(): string[] {
  const cc = process.env.CC?.trim();
  return cc ? cc.split(/\s+/) : ["cc"];
}

function run(command: readonly string[], args: readonly string[], input?: string) {
  const [file, ...lead] = command;
  return spawnSync(file!, [...lead, ...args], { encoding: "utf8", input: input ?? "", timeout: 30_000 });
}

const FEATURE_MACROS: readonly [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^__(AVX512[A-Z0-9_]*)__$/, (m) => m[1]!.toLowerCase()],
  [/^__(AVX2|AVX|FMA|F16C|SSE4_2|SSE4_1|SSSE3|SSE3|SSE2|SSE|BMI2|BMI|POPCNT)__$/, (m) => m[1]!.toLowerCase()],
  [/^__ARM_(NEON|FEATURE_SVE|FEATURE_FMA|FEATURE_FP16_VECTOR_ARITHMETIC)$/, (m) => m[1]!.toLowerCase()],
];

function featuresOf(macros: string): string[] {
  const names = [...macros.matchAll(/^#define (\S+)/gm)].map((m) => m[1]!);
  const out: string[] = [];
  for (const name of names) {
    for (const [pattern, label] of FEATURE_MACROS) {
      const m = name.match(pattern);
      if (m) out.push(label(m));
    }
  }
  return [...new Set(out)].sort();
}

function lanesOf(features: readonly string[]): number {
  if (features.includes("avx512f")) return 16;
  if (features.includes("avx")) return 8;
  return 4;
}

export function detectCompiler(command: readonly string[] = compilerCommand()): CCompiler {
  const versionRun = run(command, ["--version"]);
  if (versionRun.error || versionRun.status !== 0) {
    const why = versionRun.error?.message ?? `exit status ${versionRun.status}`;
    throw new CompilerUnavailableError(`C compiler "${command.join(" ")}" does not run (${why})`);
  }
  const version = versionRun.stdout.split("\n")[0]!.trim();
  let cpuFlag: string[] = [];
  let macros = "";
  for (const flag of [["-march=native"], ["-mcpu=native"], []]) {
    const r = run(command, [...flag, "-dM", "-E", "-x", "c", "-"]);
    if (!r.error && r.status === 0) {
      cpuFlag = flag;
      macros = r.stdout;
      break;
    }
  }
  if (!macros) throw new CompilerUnavailableError(`C compiler "${command.join(" ")}" cannot preprocess`);
  const features = featuresOf(macros);
  const key = createHash("sha256")
    .update([command.join(" "), version, cpuFlag.join(" "), macros, cpus()[0]?.model ?? ""].join("\n"))
    .digest("hex")
    .slice(0, 16);
  return { command, version, cpuFlag, features, lanes: lanesOf(features), key };
}

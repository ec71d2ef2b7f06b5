import { cPrelude } from "./c-prelude.js";
import type { KernelParams } from "./kernel-params.js";

/** The placeholder for a kernel function's name in its source, replaced by a name derived from the source's hash. */
export const KERNEL_NAME = "KERNEL_NAME";

/**
 * One kernel rendered as C: a function `void KERNEL_NAME(const int64_t *p, int64_t begin,
 * int64_t end)` over tile units [begin, end), like the wasm kernels' (begin, end), that
 * reads its sizes and offsets from `p` (see kernel-params.ts).
 */
export interface NativeKernelSource {
  readonly source: string;
  /** Compile with floating-point contraction (fused multiply-add): matmul only, where it is part of the design. */
  readonly contract: boolean;
}

export interface RenderedNativeKernel {
  readonly code: NativeKernelSource;
  readonly params: KernelParams;
  /** How many tile units the kernel's range covers. */
  readonly units: number;
  /**
   * For an instruction kernel that multiplies matrices, its multiply-adds: it is then
   * split across threads by the matmul's threshold, one unit per task (a unit is a block of
   * the product), instead of by its output's size.
   */
  readonly multiplyAdds?: number;
  /**
   * How the kernel reports a failure (C cannot throw): it sets parameter `slot` to 1 and
   * the next one to a value, and the program throws `error(value)` once the run is over.
   */
  readonly failure?: { readonly slot: number; readonly error: (value: number) => Error };
}

/** Lines indented by `depth` levels of two spaces. */
export function indent(lines: readonly string[], depth: number): string[] {
  return lines.map((line) => `${"  ".repeat(depth)}${line}`);
}

/**
 * A loop-nest kernel's C source: the prelude, `declarations` (vector types), then the
 * kernel function: its `top` lines, then `loops` (each a `for (…)` header) nested in order
 * around `body`.
 */
export function loopNestSource(parts: {
  declarations?: readonly string[];
  top: readonly string[];
  loops: readonly string[];
  body: readonly string[];
}): string {
  const { top, loops, body } = parts;
  return [
    cPrelude(),
    ...(parts.declarations ?? []),
    `${kernelSignature()} {`,
    ...indent(top, 1),
    ...loops.map((l, d) => `${"  ".repeat(d + 1)}${l} {`),
    ...indent(body, loops.length + 1),
    ...loops.map((_, d) => `${"  ".repeat(loops.length - d)}}`),
    "}",
    "",
  ].join("\n");
}

/** The signature line every kernel function has. */
export function kernelSignature(): string {
  return `void ${KERNEL_NAME}(const int64_t *restrict p, int64_t begin, int64_t end)`;
}

import type { Program, ProgramStep } from "../program.js";
import { exprSize, hasArithmetic } from "./expr.js";
import { fuseElementwise, isElementwise } from "./fuse/elementwise.js";
import { type FuseHandler, Fusion, type Value } from "./fuse/fusion.js";
import { fuseInstruction } from "./fuse/instruction.js";
import { fuseMatmul } from "./fuse/matmul.js";
import { MOVEMENT } from "./fuse/movement.js";
import { fuseReduce } from "./fuse/reduce.js";
import { WRITE_REGIONS } from "./fuse/write-regions.js";
import { fuseMatmulEpilogues } from "./fuse-matmul-epilogues.js";
import { fuseReductions } from "./fuse-reductions.js";
import type { Expr, KernelProgram } from "./kernel-ir.js";
import { contiguousView } from "./view.js";

/** Beyond this many nodes an expression is written out, to keep kernels small. */
const MAX_FUSED_NODES = 64;

export interface FuseOptions {
  /** Turn fusion off (each instruction its own kernel), for measuring what fusion buys. */
  readonly fuse?: boolean;
  /**
   * Copy matmul's B into column panels of this width before the product, for targets whose
   * kernels sweep a K×panel slice of B: rows of B a power-of-two apart map to the same few
   * cache sets, while a packed panel is read sequentially. Only when A has at least 32 rows,
   * so the copy costs under 3% of the product.
   */
  readonly packPanel?: number;
  /**
   * Pack B only for an A of more rows than this (default 31; see fuse/matmul.ts):
   * a target whose matmul packs B itself for each block of rows passes its block height,
   * so that a product of one row block packs B once, inside the kernel, not in a kernel of
   * its own that writes the panels out and reads them back.
   */
  readonly packRowsAbove?: number;
  /**
   * Move elementwise work into the reductions and matmuls it follows (reduction finalize and
   * epilogue, matmul epilogue). Off unless the target renders those kernel fields.
   */
  readonly epilogues?: boolean;
}

/**
 * Groups a program's instructions into kernels:
 * - chains of elementwise instructions become one expression, evaluated in one loop;
 * - movement instructions become views (index arithmetic), not copies, where possible;
 * - a reduction takes its elementwise prologue into its loop;
 * - matmul reads its operands through views (transposes cost nothing);
 * - anything else is an instruction kernel, run whole (the target's own kernel, or `ref`).
 * A value is written to a buffer only when it must be: a program output, an operand of
 * a matmul or instruction kernel, or an intermediate with arithmetic used more than once.
 * Each kind of instruction has its handler in fuse/; this function walks the steps.
 */
export function fuseProgram(program: Program, options: FuseOptions = {}): KernelProgram {
  const fuse = options.fuse ?? true;
  const f = new Fusion(program);
  const uses = new Map<number, number>();
  for (const step of program.steps) for (const s of step.inputs) uses.set(s, (uses.get(s) ?? 0) + 1);
  for (const s of program.outputSlots) uses.set(s, (uses.get(s) ?? 0) + 1);

  const inputs = program.inputSlots.map((slot) => {
    const info = program.slots[slot]!;
    const buffer = f.newBuffer(info.shape, info.dtype);
    f.set(slot, { kind: "buffer", buffer, view: contiguousView(info.shape), dtype: info.dtype });
    return buffer;
  });

  for (const step of program.steps) {
    let result: Value = handlerFor(step, program, options)(step, f);
    // An expression several users need is computed once, unless it is cheaper to repeat
    // (a bias add read twice by GELU costs less than a round trip through memory).
    if (result.kind === "expr") {
      const shared =
        (uses.get(step.output) ?? 0) > 1 && hasArithmetic(result.expr) && !cheapToRepeat(result.expr);
      if (!fuse || shared || exprSize(result.expr) > MAX_FUSED_NODES) result = f.materialize(result);
    }
    f.set(step.output, result);
  }

  // Outputs are fresh contiguous buffers, distinct from inputs and from each other.
  const taken = new Set<number>(inputs);
  const outputs = program.outputSlots.map((slot) => {
    let m = f.materialize(f.valueAt(slot));
    if (taken.has(m.buffer)) m = f.materialize(m, true);
    taken.add(m.buffer);
    return m.buffer;
  });
  const kernels: KernelProgram = { buffers: f.buffers, inputs, outputs, kernels: f.kernels };
  return fuse && options.epilogues ? fuseMatmulEpilogues(fuseReductions(kernels)) : kernels;
}

const HANDLERS: Readonly<Record<string, FuseHandler>> = {
  ...MOVEMENT,
  ...WRITE_REGIONS,
  sum: fuseReduce,
  reduceMax: fuseReduce,
};

function handlerFor(step: ProgramStep, program: Program, options: FuseOptions): FuseHandler {
  const name = step.instruction.name;
  if (name === "matmul") {
    // Integer matmul is rare enough to run on its reference semantics.
    const float = program.slots[step.output]!.dtype === "float32";
    return float
      ? (s, f) => fuseMatmul(s, f, options.packPanel, options.packRowsAbove ?? 31)
      : fuseInstruction;
  }
  return HANDLERS[name] ?? (isElementwise(name) ? fuseElementwise : fuseInstruction);
}

/** A couple of basic arithmetic operations on loads and constants. */
function cheapToRepeat(e: Expr): boolean {
  const cheapOps = new Set(["add", "sub", "mul", "neg"]);
  const ok = (x: Expr): boolean =>
    x.kind === "load" || x.kind === "const" || (x.kind === "op" && cheapOps.has(x.op) && x.args.every(ok));
  return exprSize(e) <= 3 && ok(e);
}

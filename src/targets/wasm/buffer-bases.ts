import type { CodeWriter } from "./emitter/code-writer.js";
import { Op, ValType } from "./emitter/opcodes.js";
import { ARENA_BASE } from "./expr-codegen.js";
import type { RenderContext } from "./render-elementwise.js";

/**
 * Where a kernel finds each buffer it reads. Intermediate buffers live in the run's arena
 * (base: the kernel's arena parameter, plus a constant offset). Program inputs are read
 * where they already are (a parameter kept in memory between runs is never copied): their
 * addresses are in a pointer table at the start of the arena, loaded into locals once, when
 * the kernel starts. Call this before emitting anything else in the function.
 */
export function bindBufferBases(
  cw: CodeWriter,
  ctx: RenderContext,
  buffers: Iterable<number>,
): (buffer: number) => number {
  const locals = new Map<number, number>();
  for (const b of new Set(buffers)) {
    const entry = ctx.inputEntry(b);
    if (entry === undefined) continue;
    const local = cw.local(ValType.i32);
    cw.get(ARENA_BASE).mem(Op.i32_load, 2, entry).set(local);
    locals.set(b, local);
  }
  return (b) => locals.get(b) ?? ARENA_BASE;
}

import assert from "node:assert/strict";
import { test } from "node:test";
import type { KernelProgram } from "../../src/compiler/kernels/kernel-ir.js";
import { contiguousView } from "../../src/compiler/kernels/view.js";
import { planArena } from "../../src/compiler/plan-memory.js";

/** b_{i+1} = exp(b_i): a chain where each buffer is dead once the next is written. */
function chain(length: number, size: number): KernelProgram {
  const buffers = Array.from({ length: length + 1 }, () => ({ size, dtype: "float32" as const }));
  const kernels = Array.from({ length }, (_, i) => ({
    kind: "elementwise" as const,
    out: i + 1,
    shape: [size],
    expr: {
      kind: "op" as const,
      op: "exp" as const,
      args: [{ kind: "load" as const, buffer: i, view: contiguousView([size]), dtype: "float32" as const }],
      dtype: "float32" as const,
    },
    fused: ["exp"],
  }));
  return { buffers, inputs: [0], outputs: [length], kernels };
}

test("planArena: buffers alive at once never overlap; dead ones are reused; offsets are 16-byte aligned", () => {
  const program = chain(6, 10);
  const plan = planArena(program);
  const bytes = 40;
  const live = (b: number) => [Math.max(0, b - 1), b === 6 ? 6 : b];
  for (let a = 0; a < 7; a++) {
    assert.equal(plan.offsets[a]! % 16, 0);
    for (let b = a + 1; b < 7; b++) {
      const [fa, la] = live(a) as [number, number];
      const [fb, lb] = live(b) as [number, number];
      const together = fa <= lb && fb <= la;
      const overlap =
        plan.offsets[a]! < plan.offsets[b]! + bytes && plan.offsets[b]! < plan.offsets[a]! + bytes;
      if (together) assert.ok(!overlap, `buffers ${a} and ${b} are alive together and overlap`);
    }
  }
  assert.ok(plan.bytes < 7 * 48, `${plan.bytes} bytes: dead buffers were reused`);
});

test("planArena: external buffers get no place in the arena", () => {
  const program = chain(1, 1000);
  assert.equal(planArena(program).bytes, 8000);
  assert.equal(planArena(program, undefined, new Set([0])).bytes, 4000);
});

import type { InstructionKernel } from "../../src/compiler/kernels/kernel-ir.js";
import { sizeOf } from "../../src/ir/shape.js";
import { nativeAvailability } from "../../src/targets/native/availability.js";
import { KernelParams } from "../../src/targets/native/kernel-params.js";
import { kernelSignature } from "../../src/targets/native/native-kernel.js";
import { createNativeTarget } from "../../src/targets/native/native-target.js";
import type { Target } from "../../src/targets/target.js";
import { bindBufferBases } from "../../src/targets/wasm/buffer-bases.js";
import { CodeWriter } from "../../src/targets/wasm/emitter/code-writer.js";
import { Op, ValType } from "../../src/targets/wasm/emitter/opcodes.js";
import { type RenderContext, TILE_BEGIN, TILE_END } from "../../src/targets/wasm/render-elementwise.js";
import { createWasmTarget } from "../../src/targets/wasm/wasm-target.js";

/**
 * Targets that claim a composite (relu) with a kernel of their own, as a target adding a
 * fused kernel would: the compiler must hand them relu whole instead of decomposing it,
 * and the differential tests (test/isa/targets.test.ts) check the kernel like any other.
 */
function wasmRelu(kernel: InstructionKernel, ctx: RenderContext) {
  const cw = new CodeWriter(3);
  const x = kernel.inputs[0]!;
  const base = bindBufferBases(cw, ctx, [x, kernel.out]);
  const i = cw.local(ValType.i32);
  const address = (buffer: number) => cw.get(i).i32(2).op(Op.i32_shl).get(base(buffer)).op(Op.i32_add);
  cw.forLoop(
    i,
    () => cw.get(TILE_BEGIN),
    () => cw.get(TILE_END),
    1,
    () => {
      address(kernel.out);
      address(x).mem(Op.f32_load, 2, ctx.bufferOffset(x));
      cw.f32(0).op(Op.f32_max).mem(Op.f32_store, 2, ctx.bufferOffset(kernel.out));
    },
  );
  return { code: cw, units: sizeOf(kernel.shape) };
}

function nativeRelu(kernel: InstructionKernel, bufferOffset: (buffer: number) => number) {
  const params = new KernelParams();
  const x = kernel.inputs[0]!;
  const source = `#include <stdint.h>
${kernelSignature()} {
  char *const arena = (char *)(intptr_t)p[0];
  const float *x = (const float *)(arena + ${params.buffer(x, bufferOffset(x))});
  float *o = (float *)(arena + ${params.buffer(kernel.out, bufferOffset(kernel.out))});
  /* NaN stays NaN, as Math.max(NaN, 0) */
  for (int64_t i = begin; i < end; i++) o[i] = x[i] > 0.0f || x[i] != x[i] ? x[i] : 0.0f;
}
`;
  return { code: { source, contract: false }, params, units: sizeOf(kernel.shape) };
}

export function targetsWithOwnKernels(): Target[] {
  const targets: Target[] = [
    createWasmTarget({ name: "wasm+relu", threads: 2, kernels: { relu: wasmRelu } }),
  ];
  if (nativeAvailability().available)
    targets.push(createNativeTarget({ name: "native+relu", threads: 2, kernels: { relu: nativeRelu } }));
  return targets;
}

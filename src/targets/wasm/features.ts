import { CodeWriter } from "./emitter/code-writer.js";
import { ModuleBuilder } from "./emitter/module-builder.js";
import { SimdOp, ValType } from "./emitter/opcodes.js";
import { switchOnRelaxedSimd } from "./relaxed-simd-flag.js";

/**
 * What this WebAssembly engine supports. Relaxed SIMD gives fused multiply-add; Node 20
 * has it behind `--experimental-wasm-relaxed-simd`, which V8 also accepts at run time,
 * so in Node we switch it on ourselves when the engine knows it (newer runtimes have it on).
 */
function relaxedSimdModule(): Uint8Array {
  const builder = new ModuleBuilder();
  const code = new CodeWriter(0);
  for (let i = 0; i < 3; i++) code.f32(1).simd(SimdOp.f32x4_splat);
  code.simd(SimdOp.f32x4_relaxed_madd);
  builder.addFunction([], [ValType.v128], code);
  return builder.toBytes();
}

async function detectRelaxedSimd(): Promise<boolean> {
  const bytes = relaxedSimdModule() as BufferSource;
  if (WebAssembly.validate(bytes)) return true;
  return (await switchOnRelaxedSimd()) && WebAssembly.validate(bytes);
}

export const wasmFeatures = {
  relaxedSimd: globalThis.process?.env?.INFINISET_WASM_FMA === "0" ? false : await detectRelaxedSimd(),
};

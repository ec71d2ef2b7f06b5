import { normalAt, uniformAt } from "../../isa/counter-random.js";
import { ValType } from "./emitter/opcodes.js";
import { WASM_SCALAR_OPS } from "./scalar-ops.js";

/**
 * Functions kernels import from JavaScript: the scalar operations wasm has no instruction
 * for (log, sin, pow: the functions the reference semantics use, so results agree bit for
 * bit, taking and returning f64), integer division with the reference's rules (÷0 gives 0
 * instead of a trap), and counter-based random numbers.
 */
const math = Object.entries(WASM_SCALAR_OPS).flatMap(([name, r]) =>
  "host" in r.float ? [[name, r.float.host] as const] : [],
);

export const hostFunctions: Readonly<Record<string, (...xs: number[]) => number>> = {
  ...Object.fromEntries(math),
  idiv: (a: number, b: number) => (a / b) | 0,
  uniform: (seed: number, i: number) => uniformAt(seed >>> 0, i),
  normal: (seed: number, i: number) => normalAt(seed >>> 0, i),
};

const F64 = ValType.f64;
const I32 = ValType.i32;

/** Each import's parameter and result types. */
export const hostSignatures: Readonly<Record<string, readonly [ValType[], ValType[]]>> = {
  ...Object.fromEntries(math.map(([name, fn]) => [name, [Array(fn.length).fill(F64), [F64]]])),
  idiv: [[I32, I32], [I32]],
  uniform: [[I32, I32], [F64]],
  normal: [[I32, I32], [F64]],
};

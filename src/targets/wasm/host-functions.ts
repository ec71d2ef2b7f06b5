import { normalAt, uniformAt } from "../../isa/counter-random.js";
import { erf } from "../../isa/math.js";

/**
 * Functions kernels import from JavaScript: the transcendental functions (the same ones
 * the reference semantics use, so results agree bit for bit), integer division with the
 * reference's rules (÷0 gives 0 instead of a trap), and counter-based random numbers.
 * A later pass replaces the hot ones with SIMD polynomials inside the module.
 */
export const hostFunctions = {
  exp: Math.exp,
  log: Math.log,
  sin: Math.sin,
  tanh: Math.tanh,
  erf,
  pow: Math.pow,
  idiv: (a: number, b: number) => (a / b) | 0,
  uniform: (seed: number, i: number) => uniformAt(seed >>> 0, i),
  normal: (seed: number, i: number) => normalAt(seed >>> 0, i),
} as const;

export type HostFunctionName = keyof typeof hostFunctions;

/**
 * A new instruction defined only by its decomposition into existing ones.
 *
 * softplus(x) = log(1 + eˣ) is a smooth relu. Written literally it overflows: e¹⁰⁰ is
 * infinite in float32. The stable form max(x, 0) + log(1 + e^−|x|) never exponentiates
 * a positive number. That is all the definition says: no shape rule, no dtype rule, no
 * reference semantics and no gradient. The engine infers shape and dtype from the
 * decomposition, every target runs it as the instructions it is made of, and autograd
 * differentiates it through them. Its derivative comes out as sigmoid(x), which is
 * what `main` checks.
 *
 * Run: node dist/examples/softplus-by-decomposition.js
 */
import { pathToFileURL } from "node:url";
import { call, defineInstruction, grad, isa, type Tensor, tensor } from "../src/index.js";

/** Instruction names are global, so an example's carry a prefix that no built-in uses. */
export const softplus = defineInstruction({
  name: "example.softplus",
  doc: "log(1 + eˣ), computed as max(x, 0) + log(1 + e^−|x|) so that it cannot overflow",
  operands: 1,
  elementwise: true,
  decompose: ([x]) => isa.add(isa.max(x!, 0), isa.log(isa.add(isa.exp(isa.neg(isa.abs(x!))), 1))),
});

export interface SoftplusResult {
  x: number[];
  /** softplus(x), applied with `call`. */
  values: number[];
  /** The same, applied with the method form `x.apply`. */
  applied: number[];
  /** d softplus / dx from `grad`, through the decomposition. */
  derivative: number[];
  /** sigmoid(x) from the built-in instruction: what the derivative must equal. */
  sigmoid: number[];
  /** Largest |derivative − sigmoid| over x. */
  maxDerivativeError: number;
}

export function main(print: (line: string) => void = console.log): SoftplusResult {
  // ±100 would overflow a naive log(1 + exp(x)); 0 is where max(x, 0) has its kink.
  const x: Tensor = tensor([-100, -5, -1, -0.25, 0, 0.25, 1, 5, 100]);
  const values = call(softplus, x);
  const applied = x.apply(softplus);
  // grad wants a scalar: the sum's gradient is the elementwise derivative, since each
  // output depends on its own input only.
  const derivative = grad((t) => t.apply(softplus).sum())(x);
  const sigmoid = x.sigmoid();

  const list = (t: Tensor) => Array.from(t.dataSync());
  const result = {
    x: list(x),
    values: list(values),
    applied: list(applied),
    derivative: list(derivative),
    sigmoid: list(sigmoid),
    maxDerivativeError: derivative.sub(sigmoid).abs().max().item(),
  };
  print(`${softplus.name} is a ${softplus.kind} (differentiable: ${softplus.differentiable})`);
  print(`x                 ${x}`);
  print(`softplus(x)       ${values}`);
  print(`d softplus / dx   ${derivative}`);
  print(`sigmoid(x)        ${sigmoid}`);
  print(`max |d/dx − sigmoid| = ${result.maxDerivativeError.toExponential(2)}`);
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) main();

import { cast } from "./cast.js";
import { checkDType } from "./elementwise.js";
import { InstructionError } from "./errors.js";
import { defineInstruction, type InstructionSpec } from "./instruction.js";
import { erf as erfScalar } from "./math.js";
import { add, cmplt, erf, exp, max, mul, neg, recip, sub, tanh } from "./scalar-ops.js";

/** Activation functions: composites written in primitives, each with its own reference semantics. */

function activation<A extends Record<string, string | undefined> = Record<string, never>>(
  spec: Omit<InstructionSpec<A>, "operands" | "elementwise" | "shape" | "dtype" | "ref"> & {
    fn: (x: number, attrs: A) => number;
  },
) {
  const { fn, ...rest } = spec;
  return defineInstruction<A>({
    ...rest,
    operands: 1,
    elementwise: true,
    shape: ([x]) => x!.shape,
    dtype: ([x]) => {
      checkDType(spec.name, x!.dtype, "float");
      return x!.dtype;
    },
    ref: ([x], out, attrs) => {
      for (let i = 0; i < out.data.length; i++) out.data[i] = fn(x!.data[i]!, attrs);
    },
  });
}

const sigmoidScalar = (x: number) => 1 / (1 + Math.exp(-x));

export const relu = activation({
  name: "relu",
  doc: "max(x, 0)",
  fn: (x) => Math.max(x, 0),
  decompose: ([x]) => max(x!, 0),
  // Zero gradient at 0, as PyTorch; differentiating max would give one half there.
  vjp: (g, { inputs: [x] }) => [mul(g, cast(cmplt(0, x!), { dtype: x!.dtype }))],
});

export const sigmoid = activation({
  name: "sigmoid",
  doc: "1 / (1 + e⁻ˣ)",
  fn: sigmoidScalar,
  decompose: ([x]) => recip(add(exp(neg(x!)), 1)),
  vjp: (g, { out }) => [mul(g, mul(out, sub(1, out)))],
});

export const silu = activation({
  name: "silu",
  doc: "x · sigmoid(x) (swish)",
  fn: (x) => x * sigmoidScalar(x),
  decompose: ([x]) => mul(x!, sigmoid(x!)),
});

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export const gelu = activation<{ approximate?: "none" | "tanh" }>({
  name: "gelu",
  doc: 'Gaussian error linear unit; approximate: "none" (erf, default) or "tanh"',
  attrs: { approximate: "string?" },
  canonicalize: (_, { approximate }) => {
    const a = approximate ?? "none";
    if (a !== "none" && a !== "tanh")
      throw new InstructionError("gelu", `approximate must be "none" or "tanh", got "${a}"`);
    return { approximate: a };
  },
  fn: (x, { approximate }) =>
    approximate === "tanh"
      ? 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)))
      : 0.5 * x * (1 + erfScalar(x / Math.SQRT2)),
  decompose: ([x], { approximate }) => {
    const inner =
      approximate === "tanh"
        ? tanh(mul(add(x!, mul(mul(mul(x!, x!), x!), 0.044715)), SQRT_2_OVER_PI))
        : erf(mul(x!, Math.SQRT1_2));
    return mul(mul(x!, 0.5), add(inner, 1));
  },
  // Closed forms, so the backward pass is one fused expression rather than the gradient
  // of the decomposition (whose shared intermediates would each be written out).
  vjp: (g, { inputs: [x], attrs: { approximate } }) => {
    if (approximate === "tanh") {
      // d/dx ½x(1 + t) with t = tanh(u), u = c(x + 0.044715x³): ½(1 + t) + ½x(1 − t²)·c(1 + 3·0.044715x²)
      const x2 = mul(x!, x!);
      const t = tanh(mul(add(x!, mul(mul(x2, x!), 0.044715)), SQRT_2_OVER_PI));
      const du = mul(add(mul(x2, 3 * 0.044715), 1), SQRT_2_OVER_PI);
      const dt = mul(mul(mul(x!, 0.5), sub(1, mul(t, t))), du);
      return [mul(g, add(mul(add(t, 1), 0.5), dt))];
    }
    // d/dx x·Φ(x) = Φ(x) + x·φ(x), Φ(x) = ½(1 + erf(x/√2)), φ(x) = e^(−x²/2)/√(2π)
    const cdf = mul(add(erf(mul(x!, Math.SQRT1_2)), 1), 0.5);
    const pdf = mul(exp(mul(mul(x!, x!), -0.5)), 1 / Math.sqrt(2 * Math.PI));
    return [mul(g, add(cdf, mul(x!, pdf)))];
  },
});

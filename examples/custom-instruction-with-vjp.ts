/**
 * A new primitive with its own rules: shape, dtype, reference semantics and gradient.
 *
 * SwiGLU (Shazeer 2020, the gated unit in Llama's feed-forward layers) splits the last
 * axis in two halves a and b and returns silu(a) · b, halving that axis. It could be
 * written by decomposition (slices, silu, mul); declaring it as a primitive shows the
 * other path, the one a fused kernel takes: the shape rule rejects odd sizes with a clear
 * error, `ref` computes it in one pass over typed arrays (the oracle any future kernel is
 * tested against), and `vjp` gives the gradient in closed form, written with other
 * instructions so that it compiles and runs like any graph:
 *
 *   ∂/∂a = g · b · silu′(a),  silu′(a) = σ(a) · (1 + a · (1 − σ(a)))
 *   ∂/∂b = g · silu(a)
 *
 * Run: node dist/examples/custom-instruction-with-vjp.js
 */
import { pathToFileURL } from "node:url";
import {
  defineInstruction,
  InstructionError,
  isa,
  type Node,
  type Tensor,
  tensor,
  valueAndGrad,
} from "../src/index.js";

const NAME = "example.swiglu";

const sigmoidOf = (v: number) => 1 / (1 + Math.exp(-v));

/** The two halves of the last axis, as views. */
function halves(x: Node): [Node, Node] {
  const half = x.shape.at(-1)! / 2;
  const starts = x.shape.map(() => 0);
  const ends = [...x.shape];
  return [
    isa.slice(x, { starts, ends: [...ends.slice(0, -1), half] }),
    isa.slice(x, { starts: [...starts.slice(0, -1), half], ends }),
  ];
}

export const swiglu = defineInstruction({
  name: NAME,
  doc: "silu(a) · b for the halves a, b of the last axis (which must have even size)",
  operands: 1,
  shape: ([x]) => {
    const last = x!.shape.at(-1);
    if (last === undefined || last % 2 !== 0) {
      throw new InstructionError(
        NAME,
        `the last axis must have even size, got shape [${x!.shape.join(",")}]`,
      );
    }
    return [...x!.shape.slice(0, -1), last / 2];
  },
  dtype: ([x]) => {
    if (x!.dtype !== "float32") throw new InstructionError(NAME, `expects float32, got ${x!.dtype}`);
    return x!.dtype;
  },
  ref: ([x], out) => {
    const half = out.shape.at(-1)!;
    for (let row = 0; row < out.data.length / half; row++) {
      for (let i = 0; i < half; i++) {
        const a = x!.data[row * 2 * half + i]!;
        const b = x!.data[row * 2 * half + half + i]!;
        out.data[row * half + i] = a * sigmoidOf(a) * b;
      }
    }
  },
  vjp: (g, { inputs: [x] }) => {
    const [a, b] = halves(x!);
    const s = isa.sigmoid(a);
    const siluPrime = isa.mul(s, isa.add(isa.mul(a, isa.sub(1, s)), 1));
    const ga = isa.mul(isa.mul(g, b), siluPrime);
    const gb = isa.mul(g, isa.mul(a, s));
    return [isa.concat(ga, gb, { axis: -1 })];
  },
});

export interface SwigluResult {
  /** The input, [2, 6]: two rows, each split into halves of 3. */
  x: number[][];
  /** The weights of the toy loss. */
  weights: number[][];
  /** swiglu(x), [2, 3]. */
  gated: number[][];
  /** loss = Σ weights · swiglu(x). */
  loss: number;
  /** ∂loss/∂x, [2, 6], from the instruction's own vjp. */
  gradient: number[][];
}

export function main(print: (line: string) => void = console.log): SwigluResult {
  const x = tensor([
    [-2, -0.5, 0, 0.5, 1.5, 3],
    [1, -1, 2.5, -0.75, 0.25, 2],
  ]);
  const weights = tensor([
    [1, -2, 0.5],
    [0.25, 1, -1],
  ]);
  const lossOf = (t: Tensor) => t.apply(swiglu).mul(weights).sum();
  const [loss, [gradient]] = valueAndGrad(lossOf)(x);

  const rows = (t: Tensor) => t.toArray() as number[][];
  const gated = x.apply(swiglu);
  print(`${swiglu.name} is a ${swiglu.kind} with its own vjp (differentiable: ${swiglu.differentiable})`);
  print("x =");
  print(`${x}`);
  print("swiglu(x) =");
  print(`${gated}`);
  print(`loss = Σ weights · swiglu(x) = ${loss.item().toFixed(6)}`);
  print("∂loss/∂x =");
  print(`${gradient}`);
  try {
    tensor([1, 2, 3]).apply(swiglu);
  } catch (error) {
    print(`an odd last axis is refused: ${(error as Error).message}`);
  }
  return {
    x: rows(x),
    weights: rows(weights),
    gated: rows(gated),
    loss: loss.item(),
    gradient: rows(gradient!),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) main();

import type { Node } from "../ir/node.js";
import { fmt, normalizeAxes, normalizeAxis, sizeOf, stridesOf } from "../ir/shape.js";
import { unbroadcast } from "./broadcast.js";
import { sameDTypeOrThrow } from "./elementwise.js";
import { InstructionError } from "./errors.js";
import { defineInstruction, type Instruction, type TensorMeta } from "./instruction.js";
import { broadcastIndex, flatIndex, forEachIndex } from "./ref-loops.js";

/**
 * Movement primitives. They change how elements are indexed, never their values, so a
 * compiler can treat them as views (index arithmetic) rather than copies.
 */

function sameDType([x]: readonly TensorMeta[]) {
  return x!.dtype;
}

export const reshape: Instruction<{ shape: readonly number[] }> = defineInstruction<{
  shape: readonly number[];
}>({
  name: "reshape",
  doc: "same elements, new shape (one dimension may be −1)",
  operands: 1,
  attrs: { shape: "ints" },
  canonicalize: ([x], { shape }) => {
    const known = shape.filter((d) => d !== -1);
    const wild = shape.length - known.length;
    if (wild > 1 || known.some((d) => d < 0)) {
      throw new InstructionError(
        "reshape",
        `bad target shape ${fmt(shape)} (non-negative sizes, at most one −1)`,
      );
    }
    const total = sizeOf(x!.shape);
    if (wild === 1) {
      const rest = sizeOf(known);
      if (rest === 0 || total % rest !== 0) {
        throw new InstructionError("reshape", `cannot reshape ${fmt(x!.shape)} to ${fmt(shape)}`);
      }
      return { shape: shape.map((d) => (d === -1 ? total / rest : d)) };
    }
    return { shape: [...shape] };
  },
  shape: ([x], { shape }) => {
    if (sizeOf(shape) !== sizeOf(x!.shape)) {
      throw new InstructionError(
        "reshape",
        `cannot reshape ${fmt(x!.shape)} (${sizeOf(x!.shape)} elements) to ${fmt(shape)} (${sizeOf(shape)})`,
      );
    }
    return shape;
  },
  dtype: sameDType,
  ref: ([x], out) => out.data.set(x!.data),
  vjp: (g, { inputs: [x] }) => [reshape(g, { shape: x!.shape })],
});

export const permute: Instruction<{ axes: readonly number[] }> = defineInstruction<{
  axes: readonly number[];
}>({
  name: "permute",
  doc: "reorders axes: output axis i is input axis axes[i]",
  operands: 1,
  attrs: { axes: "ints" },
  canonicalize: ([x], { axes }) => {
    const rank = x!.shape.length;
    const norm = axes.map((a) => normalizeAxis(a, rank, "permute"));
    if (norm.length !== rank || new Set(norm).size !== rank) {
      throw new InstructionError(
        "permute",
        `[${axes.join(",")}] is not a permutation of the axes of ${fmt(x!.shape)}`,
      );
    }
    return { axes: norm };
  },
  shape: ([x], { axes }) => axes.map((a) => x!.shape[a]!),
  dtype: sameDType,
  ref: ([x], out, { axes }) => {
    const inStrides = stridesOf(x!.shape);
    const strides = axes.map((a) => inStrides[a]!);
    forEachIndex(out.shape, (index, flat) => {
      out.data[flat] = x!.data[flatIndex(index, strides)]!;
    });
  },
  vjp: (g, { attrs: { axes } }) => {
    const inverse = new Array<number>(axes.length);
    axes.forEach((a, i) => {
      inverse[a] = i;
    });
    return [permute(g, { axes: inverse })];
  },
});

export const expand = defineInstruction<{ shape: readonly number[] }>({
  name: "expand",
  doc: "broadcasts to a larger shape (NumPy rules) without copying",
  operands: 1,
  attrs: { shape: "ints" },
  shape: ([x], { shape }) => {
    const lead = shape.length - x!.shape.length;
    const ok = lead >= 0 && x!.shape.every((d, i) => d === 1 || d === shape[lead + i]);
    if (!ok || shape.some((d) => d < 0)) {
      throw new InstructionError("expand", `cannot broadcast ${fmt(x!.shape)} to ${fmt(shape)}`);
    }
    return shape;
  },
  dtype: sameDType,
  ref: ([x], out) => {
    const from = broadcastIndex(x!.shape, out.shape);
    for (let i = 0; i < out.data.length; i++) out.data[i] = x!.data[from[i]!]!;
  },
  vjp: (g, { inputs: [x] }) => [unbroadcast(g, x!.shape)],
});

export type SliceAttrs = {
  starts: readonly number[];
  ends: readonly number[];
  steps?: readonly number[];
};

/** Length of the range start, start+step, … below end. */
function rangeLength(start: number, end: number, step: number): number {
  return Math.max(0, Math.ceil((end - start) / step));
}

export const slice: Instruction<SliceAttrs> = defineInstruction<SliceAttrs>({
  name: "slice",
  doc: "start:end:step along every axis (negative starts/ends count from the end; step ≥ 1)",
  operands: 1,
  attrs: { starts: "ints", ends: "ints", steps: "ints?" },
  canonicalize: ([x], a) => {
    const shape = x!.shape;
    const rank = shape.length;
    const steps = a.steps ?? shape.map(() => 1);
    if (a.starts.length !== rank || a.ends.length !== rank || steps.length !== rank) {
      throw new InstructionError("slice", `starts, ends and steps need one entry per axis of ${fmt(shape)}`);
    }
    const fix = (v: number, d: number, what: string, axis: number) => {
      const r = v < 0 ? v + d : v;
      if (r < 0 || r > d) {
        throw new InstructionError("slice", `${what} ${v} is out of range for axis ${axis} of ${fmt(shape)}`);
      }
      return r;
    };
    const starts = a.starts.map((s, i) => fix(s, shape[i]!, "start", i));
    const ends = a.ends.map((e, i) => Math.max(starts[i]!, fix(e, shape[i]!, "end", i)));
    steps.forEach((s, i) => {
      if (s < 1)
        throw new InstructionError("slice", `step ${s} on axis ${i} must be ≥ 1 (flip for reverse order)`);
    });
    return { starts, ends, steps: [...steps] };
  },
  shape: (_, a) => a.starts.map((s, i) => rangeLength(s, a.ends[i]!, a.steps![i]!)),
  dtype: sameDType,
  ref: ([x], out, a) => {
    const strides = stridesOf(x!.shape);
    forEachIndex(out.shape, (index, flat) => {
      let src = 0;
      for (let d = 0; d < index.length; d++) src += (a.starts[d]! + index[d]! * a.steps![d]!) * strides[d]!;
      out.data[flat] = x!.data[src]!;
    });
  },
  vjp: (g, { inputs: [x], attrs: a }) => {
    // Spread strided elements apart with zeros (pad a new unit axis, merge it back),
    // then pad the result out to the input's extent.
    let spread = g;
    a.steps!.forEach((step, axis) => {
      const n = spread.shape[axis]!;
      if (step === 1 || n === 0) return;
      const s = [...spread.shape];
      const withUnit = reshape(spread, { shape: [...s.slice(0, axis + 1), 1, ...s.slice(axis + 1)] });
      const padded = pad(withUnit, {
        before: withUnit.shape.map(() => 0),
        after: withUnit.shape.map((_, i) => (i === axis + 1 ? step - 1 : 0)),
      });
      const merged = reshape(padded, { shape: [...s.slice(0, axis), n * step, ...s.slice(axis + 1)] });
      const keep = merged.shape.map((d, i) => (i === axis ? (n - 1) * step + 1 : d));
      spread = slice(merged, { starts: keep.map(() => 0), ends: keep });
    });
    const before = a.starts;
    const after = x!.shape.map((d, i) => d - before[i]! - spread.shape[i]!);
    return [pad(spread, { before, after })];
  },
});

export type PadAttrs = {
  before: readonly number[];
  after: readonly number[];
  value?: number;
};

export const pad: Instruction<PadAttrs> = defineInstruction<PadAttrs>({
  name: "pad",
  doc: "pads every axis with a constant (default 0)",
  operands: 1,
  attrs: { before: "ints", after: "ints", value: "float?" },
  canonicalize: ([x], a) => {
    const rank = x!.shape.length;
    if (a.before.length !== rank || a.after.length !== rank) {
      throw new InstructionError("pad", `before and after need one entry per axis of ${fmt(x!.shape)}`);
    }
    if ([...a.before, ...a.after].some((p) => p < 0)) {
      throw new InstructionError("pad", "padding must be non-negative (slice to crop)");
    }
    return { before: [...a.before], after: [...a.after], value: a.value ?? 0 };
  },
  shape: ([x], a) => x!.shape.map((d, i) => d + a.before[i]! + a.after[i]!),
  dtype: sameDType,
  ref: ([x], out, a) => {
    out.data.fill(a.value!);
    const strides = stridesOf(out.shape);
    forEachIndex(x!.shape, (index, flat) => {
      let dst = 0;
      for (let d = 0; d < index.length; d++) dst += (index[d]! + a.before[d]!) * strides[d]!;
      out.data[dst] = x!.data[flat]!;
    });
  },
  vjp: (g, { inputs: [x], attrs: a }) => [
    slice(g, { starts: a.before, ends: x!.shape.map((d, i) => d + a.before[i]!) }),
  ],
});

export const flip: Instruction<{ axes: readonly number[] }> = defineInstruction<{ axes: readonly number[] }>({
  name: "flip",
  doc: "reverses the order of elements along axes",
  operands: 1,
  attrs: { axes: "ints" },
  canonicalize: ([x], { axes }) => ({ axes: normalizeAxes(axes, x!.shape.length, "flip") }),
  shape: ([x]) => x!.shape,
  dtype: sameDType,
  ref: ([x], out, { axes }) => {
    const strides = stridesOf(x!.shape);
    forEachIndex(out.shape, (index, flat) => {
      let src = 0;
      for (let d = 0; d < index.length; d++) {
        src += (axes.includes(d) ? x!.shape[d]! - 1 - index[d]! : index[d]!) * strides[d]!;
      }
      out.data[flat] = x!.data[src]!;
    });
  },
  vjp: (g, { attrs }) => [flip(g, attrs)],
});

export const concat = defineInstruction<{ axis: number }>({
  name: "concat",
  doc: "joins tensors along an existing axis",
  operands: "variadic",
  attrs: { axis: "int" },
  canonicalize: ([x], { axis }) => ({ axis: normalizeAxis(axis, x!.shape.length, "concat") }),
  shape: (inputs, { axis }) => {
    const [first] = inputs;
    for (const x of inputs) {
      const ok =
        x.shape.length === first!.shape.length &&
        x.shape.every((d, i) => i === axis || d === first!.shape[i]);
      if (!ok) {
        throw new InstructionError(
          "concat",
          `shapes differ off axis ${axis}: ${inputs.map((i) => fmt(i.shape)).join(", ")}`,
        );
      }
    }
    return first!.shape.map((d, i) => (i === axis ? inputs.reduce((s, x) => s + x.shape[axis]!, 0) : d));
  },
  dtype: (inputs) => sameDTypeOrThrow("concat", inputs),
  ref: (inputs, out, { axis }) => {
    const outStrides = stridesOf(out.shape);
    let offset = 0;
    for (const x of inputs) {
      forEachIndex(x.shape, (index, flat) => {
        let dst = 0;
        for (let d = 0; d < index.length; d++)
          dst += (index[d]! + (d === axis ? offset : 0)) * outStrides[d]!;
        out.data[dst] = x.data[flat]!;
      });
      offset += x.shape[axis]!;
    }
  },
  vjp: (g, { inputs, attrs: { axis } }) => {
    let offset = 0;
    return inputs.map((x: Node) => {
      const starts = g.shape.map((_, i) => (i === axis ? offset : 0));
      const ends = g.shape.map((d, i) => (i === axis ? offset + x.shape[axis]! : d));
      offset += x.shape[axis]!;
      return slice(g, { starts, ends });
    });
  },
});

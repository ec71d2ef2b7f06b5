import type { DType } from "../ir/dtype.js";
import type { Shape } from "../ir/shape.js";

/**
 * Prints a tensor the way PyTorch and NumPy do: nested brackets, values aligned and
 * rounded, the middle of large tensors elided.
 */
const ELIDE_ABOVE = 1000;
const EDGE_ITEMS = 3;

function formatValue(v: number, dtype: DType, decimals: number): string {
  if (dtype === "bool") return v ? "true" : "false";
  if (dtype === "int32" || dtype === "uint8") return String(v);
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  return v.toFixed(decimals);
}

/** Scientific notation when magnitudes span too much for fixed decimals, as NumPy does. */
function chooseFormat(values: number[], dtype: DType): (v: number) => string {
  if (dtype !== "float32") return (v) => formatValue(v, dtype, 0);
  const finite = values.filter((v) => Number.isFinite(v) && v !== 0).map(Math.abs);
  const big = Math.max(0, ...finite);
  const small = finite.length ? Math.min(...finite) : 1;
  if (big >= 1e8 || small < 1e-4 || (small > 0 && big / small > 1e6)) {
    return (v) => (Number.isFinite(v) ? v.toExponential(4) : formatValue(v, dtype, 4));
  }
  return (v) => formatValue(v, dtype, 4);
}

export function formatTensor(data: ArrayLike<number>, shape: Shape, dtype: DType): string {
  const size = data.length;
  const elide = size > ELIDE_ABOVE;
  const strides: number[] = [];
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= shape[i]!;
  }
  const indicesAlong = (d: number): (number | "...")[] => {
    const n = shape[d]!;
    if (!elide || n <= 2 * EDGE_ITEMS) return Array.from({ length: n }, (_, i) => i);
    return [
      ...Array.from({ length: EDGE_ITEMS }, (_, i) => i),
      "...",
      ...Array.from({ length: EDGE_ITEMS }, (_, i) => n - EDGE_ITEMS + i),
    ];
  };
  const shown: number[] = [];
  const collect = (d: number, offset: number) => {
    if (d === shape.length) return void shown.push(data[offset]!);
    for (const i of indicesAlong(d)) if (i !== "...") collect(d + 1, offset + i * strides[d]!);
  };
  collect(0, 0);
  const fmt = chooseFormat(shown, dtype);
  const width = Math.max(0, ...shown.map((v) => fmt(v).length));
  const pad = (s: string) => s.padStart(width);
  const prefix = "tensor(";

  const render = (d: number, offset: number, indent: number): string => {
    if (d === shape.length) return pad(fmt(data[offset]!));
    const parts = indicesAlong(d).map((i) =>
      i === "..." ? "..." : render(d + 1, offset + i * strides[d]!, indent + 1),
    );
    if (d === shape.length - 1) return `[${parts.join(", ")}]`;
    const sep = `,${"\n".repeat(shape.length - d - 1)}${" ".repeat(indent + 1)}`;
    return `[${parts.join(sep)}]`;
  };
  const body = shape.length === 0 ? fmt(data[0]!) : size === 0 ? "[]" : render(0, 0, prefix.length);
  return `${prefix}${body}, shape=[${shape.join(",")}], dtype=${dtype})`;
}

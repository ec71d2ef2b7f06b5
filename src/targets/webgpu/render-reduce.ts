import { exprLeaves } from "../../compiler/kernels/expr.js";
import type { ReduceKernel } from "../../compiler/kernels/kernel-ir.js";
import { coalesceAxes } from "../../compiler/kernels/loop-nest.js";
import { stridesOf } from "../../ir/shape.js";
import { wgslExpr, wgslType } from "./wgsl-expr.js";
import {
  type BufferPlace,
  decompose,
  gridGroups,
  KernelBindings,
  leafReader,
  position,
  type RenderedKernel,
  shaderSource,
  storeWord,
  WgslParams,
} from "./wgsl-kernel.js";

/**
 * A reduction: one workgroup per output row (in a grid-stride loop over rows). Its
 * invocations accumulate strided elements of the row, combine through workgroup memory
 * in a fixed tree, finalize the row's value, then evaluate the epilogue over the row
 * (softmax's exp(x − max), layer norm's normalisation) with `reduced` bound to it.
 *
 * Where the adapter has subgroups, sums combine with subgroupAdd instead: each round adds
 * within subgroups and leaves one partial per subgroup, so a 256-wide workgroup takes two
 * rounds with 32-wide subgroups instead of eight steps of the tree. (Maxima keep the tree:
 * subgroupMax leaves NaN and −0 unspecified, and max must follow Math.max.)
 */
export function renderReduce(
  kernel: ReduceKernel,
  place: (buffer: number) => BufferPlace,
  maxGroups: number,
  subgroups = false,
): RenderedKernel | undefined {
  const { shape, axes } = kernel;
  const kept = [...shape.keys()].filter((d) => !axes.includes(d));
  const reduced = [...axes].sort((a, b) => a - b);
  const rows = kept.reduce((n, d) => n * shape[d]!, 1);
  const length = reduced.reduce((n, d) => n * shape[d]!, 1);
  if (rows === 0) return undefined;
  const epilogue = kernel.epilogue;
  const bodyLeaves = exprLeaves(kernel.expr);
  const epilogueLeaves = epilogue ? exprLeaves(epilogue.expr) : [];
  const strideSets = [
    ...bodyLeaves.map((l) => l.view.strides),
    ...epilogueLeaves.map((l) => l.view.strides),
    stridesOf(shape),
  ];
  const split = (axesOf: readonly number[]) => {
    const m = coalesceAxes(
      axesOf.map((d) => shape[d]!),
      strideSets.map((s) => axesOf.map((d) => s[d]!)),
    );
    return m.shape.length ? m : { shape: [1], strides: m.strides.map(() => [0]) };
  };
  const k = split(kept);
  const r = split(reduced);

  const params = new WgslParams();
  const bindings = new KernelBindings(place, params);
  const workgroup = length <= 64 ? 64 : 256;
  const rowCount = params.int(rows);
  const rowLength = params.int(length);
  const keptIndex = decompose(
    "i32(row)",
    k.shape.map((d) => params.int(d)),
    "k",
  );
  const leafPosition = (set: number, offset: string) => {
    const terms = [
      ...k.strides[set]!.map((s, d) => [`k${d}`, s] as const),
      ...r.strides[set]!.map((s, d) => [`r${d}`, s] as const),
    ];
    return position(params, offset, terms);
  };

  const acc = kernel.expr.dtype === "bool" ? "int32" : kernel.expr.dtype;
  const t = wgslType(acc);
  const asAcc = (v: string) => (kernel.expr.dtype === "bool" ? `select(0i, 1i, ${v})` : v);
  const init =
    kernel.op === "sum"
      ? acc === "float32"
        ? "0.0f"
        : "0i"
      : acc === "float32"
        ? "-f_inf()"
        : "bitcast<i32>(0x80000000u)";
  const combine = (a: string, b: string) =>
    kernel.op === "sum" ? `${a} + ${b}` : acc === "float32" ? `f_max(${a}, ${b})` : `max(${a}, ${b})`;

  const reduceIndex = (dims: readonly string[]) => decompose("i32(j)", dims, "r");
  const redDims = r.shape.map((d) => params.int(d));
  const bodyReaders = bodyLeaves.map((leaf) => leafReader(leaf, bindings));
  const bodyOffsets = bodyLeaves.map((leaf) => params.int(leaf.view.offset));
  const bodyValue = wgslExpr(kernel.expr, (leaf) =>
    bodyReaders[bodyLeaves.indexOf(leaf)]!(`p${bodyLeaves.indexOf(leaf)}`),
  );
  const bodyPositions = bodyLeaves.map((_, i) => `let p${i} = ${leafPosition(i, bodyOffsets[i]!)};`);

  const outDtype = kernel.finalize?.dtype ?? kernel.expr.dtype;
  const accValue = "partial[0]";
  const rowValue = kernel.finalize
    ? wgslExpr(
        kernel.finalize,
        () => {
          throw new Error("internal: a reduction's finalize reads a buffer");
        },
        accValue,
      )
    : kernel.expr.dtype === "bool"
      ? `(${accValue} != 0i)`
      : accValue;
  const storeRow = storeWord(bindings, kernel.out, "i32(row)", "value", outDtype);

  let epilogueLoop = "";
  if (epilogue) {
    const readers = epilogueLeaves.map((leaf) => leafReader(leaf, bindings));
    const offsets = epilogueLeaves.map((leaf) => params.int(leaf.view.offset));
    const base = bodyLeaves.length;
    const positions = epilogueLeaves.map((_, i) => `let e${i} = ${leafPosition(base + i, offsets[i]!)};`);
    const value = wgslExpr(
      epilogue.expr,
      (leaf) => readers[epilogueLeaves.indexOf(leaf)]!(`e${epilogueLeaves.indexOf(leaf)}`),
      "value",
    );
    const outAt = leafPosition(strideSets.length - 1, "0");
    epilogueLoop = `
    for (var j = lid; j < len; j += ${workgroup}u) {
      ${reduceIndex(redDims).join("\n      ")}
      ${positions.join("\n      ")}
      ${storeWord(bindings, epilogue.out, outAt, value, epilogue.expr.dtype)}
    }`;
  }

  const useSubgroups = subgroups && kernel.op === "sum";
  const zero = acc === "float32" ? "0.0f" : "0i";
  // Subgroups are taken to be consecutive invocations, as every implementation makes them in a 1-D workgroup.
  const combineRow = useSubgroups
    ? `var v = acc;
    var n = ${workgroup}u;
    loop {
      v = subgroupAdd(v);
      n = n / sgsize;
      workgroupBarrier();
      if (sglane == 0u) { partial[lid / sgsize] = v; }
      workgroupBarrier();
      if (n <= 1u) { break; }
      v = select(${zero}, partial[lid], lid < n);
    }`
    : `partial[lid] = acc;
    workgroupBarrier();
    for (var s = ${workgroup / 2}u; s > 0u; s = s >> 1u) {
      if (lid < s) { partial[lid] = ${combine("partial[lid]", "partial[lid + s]")}; }
      workgroupBarrier();
    }`;
  const subgroupBuiltins = useSubgroups
    ? ", @builtin(subgroup_size) sgsize: u32, @builtin(subgroup_invocation_id) sglane: u32"
    : "";
  const body = `var<workgroup> partial: array<${t}, ${workgroup}>;
@compute @workgroup_size(${workgroup})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) groups: vec3u${subgroupBuiltins}) {
  let rows = u32(${rowCount});
  let len = u32(${rowLength});
  for (var row = wid.x; row < rows; row += groups.x) {
    ${keptIndex.join("\n    ")}
    var acc: ${t} = ${init};
    for (var j = lid; j < len; j += ${workgroup}u) {
      ${reduceIndex(redDims).join("\n      ")}
      ${bodyPositions.join("\n      ")}
      acc = ${combine("acc", asAcc(bodyValue))};
    }
    ${combineRow}
    let value = ${rowValue};
    if (lid == 0u) { ${storeRow} }${epilogueLoop}
    workgroupBarrier();
  }
}`;
  return {
    code: shaderSource(bindings, body, useSubgroups ? ["subgroups"] : []),
    params,
    slots: bindings.used,
    groups: gridGroups(rows, 1, maxGroups),
  };
}

import { exprLeaves } from "../../compiler/kernels/expr.js";
import type { ElementwiseKernel } from "../../compiler/kernels/kernel-ir.js";
import { coalesceAxes } from "../../compiler/kernels/loop-nest.js";
import { contiguousView } from "../../compiler/kernels/view.js";
import { wgslExpr } from "./wgsl-expr.js";
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

const WORKGROUP = 256;

/**
 * out[i] = expr(i): one invocation per element, in a grid-stride loop. The index space is
 * first coalesced (axes every operand walks contiguously are merged), then each element's
 * linear index is split into per-axis indices and every leaf reads at offset + Σ index·stride.
 */
export function renderElementwise(
  kernel: ElementwiseKernel,
  place: (buffer: number) => BufferPlace,
  maxGroups: number,
): RenderedKernel | undefined {
  const total = kernel.shape.reduce((a, b) => a * b, 1);
  if (total === 0) return undefined;
  const leaves = exprLeaves(kernel.expr);
  const out = kernel.outView ?? contiguousView(kernel.shape);
  const merged = coalesceAxes(kernel.shape, [...leaves.map((l) => l.view.strides), out.strides]);
  const dims = merged.shape.length ? merged.shape : [1];
  const strides = merged.shape.length ? merged.strides : merged.strides.map(() => [0]);
  const params = new WgslParams();
  const bindings = new KernelBindings(place, params);
  const count = params.int(total);
  const index = decompose(
    "i32(t)",
    dims.map((d) => params.int(d)),
    "i",
  );
  const terms = (s: readonly number[]) => s.map((stride, d) => [`i${d}`, stride] as const);
  const readers = leaves.map((leaf) => leafReader(leaf, bindings));
  const positions = leaves.map((leaf, k) => position(params, leaf.view.offset, terms(strides[k]!)));
  const value = wgslExpr(kernel.expr, (leaf) => {
    const k = leaves.indexOf(leaf);
    return readers[k]!(`p${k}`);
  });
  const store = storeWord(
    bindings,
    kernel.out,
    position(params, out.offset, terms(strides[leaves.length]!)),
    value,
    kernel.expr.dtype,
  );
  const body = `@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let total = u32(${count});
  for (var t = gid.x; t < total; t += groups.x * ${WORKGROUP}u) {
    ${index.join("\n    ")}
    ${positions.map((p, k) => `let p${k} = ${p};`).join("\n    ")}
    ${store}
  }
}`;
  return {
    code: shaderSource(bindings, body),
    params,
    slots: bindings.used,
    groups: gridGroups(total, WORKGROUP, maxGroups),
  };
}

import { exprLeaves } from "../../compiler/kernels/expr.js";
import type { MatmulKernel } from "../../compiler/kernels/kernel-ir.js";
import { coalesceAxes } from "../../compiler/kernels/loop-nest.js";
import { stridesOf } from "../../ir/shape.js";
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

/**
 * The blocking of the tiled matmul: a workgroup computes a BM×BN tile of the product,
 * each invocation a TM×TN block of it in registers, stepping through K by BK with the
 * slices of A and B staged in workgroup memory. Chosen per adapter (matmul-tuning.ts).
 */
export interface MatmulTiles {
  readonly bm: number;
  readonly bn: number;
  readonly bk: number;
  readonly tm: number;
  readonly tn: number;
}

/**
 * out[batch, M, N] = Σ_k a[batch, M, k] · b[batch, k, N] (then the epilogue), operands
 * read through their views. An invocation's rows and columns are strided by the number of
 * invocations along each side, so that neighbouring invocations read neighbouring words
 * of workgroup memory. Every element is one fused multiply-add chain over k in order,
 * whatever the tile sizes.
 */
export function renderMatmul(
  kernel: MatmulKernel,
  place: (buffer: number) => BufferPlace,
  tiles: MatmulTiles,
  maxGroups: number,
): RenderedKernel | undefined {
  const { shape } = kernel;
  const r = shape.length;
  const [m, n] = [shape[r - 2]!, shape[r - 1]!];
  const batches = shape.slice(0, -2).reduce((x, y) => x * y, 1);
  if (m === 0 || n === 0 || batches === 0) return undefined;
  if (kernel.b.packedPanel) throw new Error("internal: the webgpu target reads B unpacked");
  if (m <= STREAM_ROWS) return renderStreamingMatmul(kernel, place, maxGroups);
  const { bm, bn, bk, tm, tn } = tiles;
  const tx = bn / tn;
  const ty = bm / tm;
  const threads = tx * ty;
  const {
    params,
    bindings,
    M,
    N,
    K,
    batchIndex,
    A,
    B,
    aBase,
    bBase,
    aRow,
    aCol,
    bRow,
    bCol,
    outBase,
    leafAt,
    storeAt,
  } = matmulSetup(kernel, place, "i32(wid.z)");

  // The step through the staged slice is a loop (the shader compiler unrolls it); its body,
  // a TM×TN outer product, is written out so that the block stays in registers.
  const lines: string[] = [];
  for (let i = 0; i < tm; i++) lines.push(`a[${i}] = As[kk * ${bm} + ty + ${i * ty}];`);
  for (let j = 0; j < tn; j++) lines.push(`b[${j}] = Bs[kk * ${bn} + tx + ${j * tx}];`);
  for (let i = 0; i < tm; i++)
    for (let j = 0; j < tn; j++)
      lines.push(`acc[${i * tn + j}] = fma(a[${i}], b[${j}], acc[${i * tn + j}]);`);
  const stores: string[] = [];
  for (let i = 0; i < tm; i++) {
    for (let j = 0; j < tn; j++) {
      const c = i * tn + j;
      stores.push(`{
    let gm = row0 + ty + ${i * ty};
    let gn = col0 + tx + ${j * tx};
    if (gm < M && gn < N) {
      ${leafAt.map((p, q) => `let q${q} = ${p};`).join("\n      ")}
      ${storeAt(`acc[${c}]`)}
    }
  }`);
    }
  }
  const body = `var<workgroup> As: array<f32, ${bk * bm}>;
var<workgroup> Bs: array<f32, ${bk * bn}>;
@compute @workgroup_size(${threads})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let M = ${M};
  let N = ${N};
  let K = ${K};
  ${batchIndex.join("\n  ")}
  let aBase = ${aBase};
  let bBase = ${bBase};
  let outBase = ${outBase};
  let row0 = i32(wid.y) * ${bm};
  let col0 = i32(wid.x) * ${bn};
  let tx = i32(lid % ${tx}u);
  let ty = i32(lid / ${tx}u);
  var acc: array<f32, ${tm * tn}>;
  var a: array<f32, ${tm}>;
  var b: array<f32, ${tn}>;
  for (var k0 = 0; k0 < K; k0 += ${bk}) {
    for (var e = i32(lid); e < ${bm * bk}; e += ${threads}) {
      let gm = row0 + e / ${bk};
      let gk = k0 + e % ${bk};
      var v = 0.0f;
      if (gm < M && gk < K) { v = bitcast<f32>(${A.array}[${A.base} + aBase + gm * ${aRow} + gk * ${aCol}]); }
      As[(e % ${bk}) * ${bm} + e / ${bk}] = v;
    }
    for (var e = i32(lid); e < ${bk * bn}; e += ${threads}) {
      let gk = k0 + e / ${bn};
      let gn = col0 + e % ${bn};
      var v = 0.0f;
      if (gk < K && gn < N) { v = bitcast<f32>(${B.array}[${B.base} + bBase + gk * ${bRow} + gn * ${bCol}]); }
      Bs[e] = v;
    }
    workgroupBarrier();
    for (var kk = 0; kk < ${bk}; kk++) {
      ${lines.join("\n      ")}
    }
    workgroupBarrier();
  }
  ${stores.join("\n  ")}
}`;
  return {
    code: shaderSource(bindings, body),
    params,
    slots: bindings.used,
    groups: [Math.ceil(n / bn), Math.ceil(m / bm), batches],
  };
}

/** Products with at most this many rows (decoding: a matrix-vector product) stream B instead. */
const STREAM_ROWS = 4;
const STREAM_WORKGROUP = 256;

/**
 * A product with few rows: each invocation owns one column of the output (of one batch)
 * and runs down K, reading B once, row by row, so that neighbouring invocations read
 * neighbouring words of a row-major B; the rows of A are the same for every invocation.
 * No workgroup memory, no barriers: the product is bound by reading B. Every element is
 * the same fused multiply-add chain over k as in the tiled kernel.
 */
function renderStreamingMatmul(
  kernel: MatmulKernel,
  place: (buffer: number) => BufferPlace,
  maxGroups: number,
): RenderedKernel {
  const {
    params,
    bindings,
    m,
    n,
    batches,
    N,
    K,
    total,
    batchIndex,
    A,
    B,
    aBase,
    bBase,
    aRow,
    aCol,
    bRow,
    bCol,
    outBase,
    leafAt,
    storeAt,
  } = matmulSetup(kernel, place, "z");
  const rows = [...Array(m).keys()];
  const body = `@compute @workgroup_size(${STREAM_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let N = ${N};
  let K = ${K};
  for (var t = i32(gid.x); t < ${total}; t += i32(groups.x) * ${STREAM_WORKGROUP}) {
    let z = t / N;
    let gn = t % N;
    ${batchIndex.join("\n    ")}
    let aBase = ${A.base} + ${aBase};
    let bColumn = ${B.base} + ${bBase} + gn * ${bCol};
    let outBase = ${outBase};
    var acc: array<f32, ${m}>;
    for (var kk = 0; kk < K; kk++) {
      let b = bitcast<f32>(${B.array}[bColumn + kk * ${bRow}]);
      ${rows.map((i) => `acc[${i}] = fma(bitcast<f32>(${A.array}[aBase + ${i} * ${aRow} + kk * ${aCol}]), b, acc[${i}]);`).join("\n      ")}
    }
    ${rows
      .map(
        (i) => `{
      let gm = ${i};
      ${leafAt.map((p, q) => `let q${q} = ${p};`).join("\n      ")}
      ${storeAt(`acc[${i}]`)}
    }`,
      )
      .join("\n    ")}
  }
}`;
  return {
    code: shaderSource(bindings, body),
    params,
    slots: bindings.used,
    groups: gridGroups(batches * n, STREAM_WORKGROUP, maxGroups),
  };
}

/**
 * What both matmul kernels read and write: sizes, batch offsets (the batch axes coalesced,
 * split from `batchLinear`), A and B with their row and column strides, and the store of a
 * product through the epilogue at (gm, gn) — `storeAt(value)`.
 */
function matmulSetup(kernel: MatmulKernel, place: (buffer: number) => BufferPlace, batchLinear: string) {
  const { shape } = kernel;
  const r = shape.length;
  const [m, n] = [shape[r - 2]!, shape[r - 1]!];
  const k = kernel.a.view.shape[r - 1]!;
  const batchShape = shape.slice(0, -2);
  const batches = batchShape.reduce((x, y) => x * y, 1);
  const epilogueLeaves = kernel.epilogue ? exprLeaves(kernel.epilogue) : [];
  const batchSets = [
    kernel.a.view.strides,
    kernel.b.view.strides,
    stridesOf(shape),
    ...epilogueLeaves.map((l) => l.view.strides),
  ];
  const batch = coalesceAxes(
    batchShape,
    batchSets.map((s) => s.slice(0, -2)),
  );
  const params = new WgslParams();
  const bindings = new KernelBindings(place, params);
  const [M, N, K, total] = [params.int(m), params.int(n), params.int(k), params.int(batches * n)];
  const batchIndex = decompose(
    batchLinear,
    batch.shape.map((d) => params.int(d)),
    "z",
  );
  const batchTerms = (set: number) => batch.strides[set]!.map((s, d) => [`z${d}`, s] as const);
  const A = bindings.buffer(kernel.a.buffer);
  const B = bindings.buffer(kernel.b.buffer);
  const aBase = position(params, kernel.a.view.offset, batchTerms(0));
  const bBase = position(params, kernel.b.view.offset, batchTerms(1));
  const [aRow, aCol] = kernel.a.view.strides.slice(-2).map((s) => params.int(s));
  const [bRow, bCol] = kernel.b.view.strides.slice(-2).map((s) => params.int(s));
  const outBase = position(params, 0, batchTerms(2));
  const readers = epilogueLeaves.map((leaf) => leafReader(leaf, bindings));
  const leafAt = epilogueLeaves.map((leaf, i) => {
    const [sm, sn] = leaf.view.strides.slice(-2) as [number, number];
    return position(params, leaf.view.offset, [...batchTerms(3 + i), ["gm", sm], ["gn", sn]]);
  });
  const value = kernel.epilogue
    ? wgslExpr(
        kernel.epilogue,
        (leaf) => readers[epilogueLeaves.indexOf(leaf)]!(`q${epilogueLeaves.indexOf(leaf)}`),
        "PRODUCT",
      )
    : "PRODUCT";
  const store = storeWord(bindings, kernel.out, "outBase + gm * N + gn", value, kernel.dtype);
  const storeAt = (product: string) => store.replaceAll("PRODUCT", product);
  return {
    params,
    bindings,
    m,
    n,
    k,
    batches,
    M,
    N,
    K,
    total,
    batchIndex,
    A,
    B,
    aBase,
    bBase,
    aRow,
    aCol,
    bRow,
    bCol,
    outBase,
    leafAt,
    storeAt,
  };
}

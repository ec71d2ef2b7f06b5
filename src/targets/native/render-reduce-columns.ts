import type { Leaf } from "../../compiler/kernels/expr.js";
import type { ReduceKernel } from "../../compiler/kernels/kernel-ir.js";
import { cExpr, cReduction, cType } from "./c-expr.js";
import { declareLeaf, type LeafPlan, placeLeaf, positionExpr } from "./c-leaf-access.js";
import {
  declareScalarMax,
  declareVectorMax,
  gatherVector,
  maxResult,
  scalarMaxStep,
  vectorMaxResult,
  vectorMaxStep,
  vectorTypes,
} from "./c-max-reduce.js";
import type { KernelParams } from "./kernel-params.js";
import { indent, loopNestSource, type RenderedNativeKernel } from "./native-kernel.js";

/**
 * A reduction across rows (the innermost kept axis is contiguous, the innermost reduced
 * axis is not: a bias gradient, sum over axis 0 of [rows, columns]) as C that computes
 * neighbouring outputs at once: each step along the reduced axes reads contiguous
 * elements, one per output, into accumulators kept in vector registers (several vectors
 * for float32, so each step reads whole cache lines). Reading each output's column one
 * element at a time would neither vectorise nor use whole cache lines.
 *
 * Each output accumulates its elements one by one in the order of the reduced axes,
 * whether it is computed with its neighbours or alone at the end of a tile, so results do
 * not depend on the tiling or the thread count.
 */
export interface ColumnNest {
  /** Kept axes after merging; the last is the contiguous one the lanes run along. */
  readonly keptShape: readonly number[];
  /** Per leaf, then the output: strides along the kept axes. */
  readonly keptStrides: readonly (readonly number[])[];
  /** Reduced axes after merging (at least one). */
  readonly redShape: readonly number[];
  /** Per leaf: strides along the reduced axes. */
  readonly redStrides: readonly (readonly number[])[];
}

/** Vectors of neighbouring float32 outputs computed together (BLOCK·lanes columns per pass). */
const BLOCK = 4;

/**
 * A reduction over rows (the reduced axis is not the innermost): neighbouring outputs are
 * accumulated together so each step reads whole cache lines. One function of ~160 lines:
 * it writes one C function whose parts share the parameters and names it declares.
 */
export function renderReduceColumns(
  kernel: ReduceKernel,
  leaves: readonly Leaf[],
  nest: ColumnNest,
  params: KernelParams,
  bufferOffset: (buffer: number) => number,
  lanes: number,
): RenderedNativeKernel {
  const { t, float, outDType, init, combine } = cReduction(kernel);
  const keptInner = nest.keptShape.length - 1;
  const redInner = nest.redShape.length - 1;
  // Leaves are declared as for a loop whose inner stride is the kept one (0 or 1).
  const plans: LeafPlan[] = leaves.map((leaf, index) => ({
    leaf,
    index,
    inner: nest.keptStrides[index]![keptInner] === 0 ? "0" : "1",
  }));

  const top: string[] = ["char *const arena = (char *)(intptr_t)p[0];"];
  for (const plan of plans) top.push(...declareLeaf(plan, 1, params, bufferOffset));
  plans.forEach((plan) => {
    top.push(`const int64_t rs${plan.index} = ${params.int(nest.redStrides[plan.index]![redInner]!)};`);
  });
  top.push(
    `${cType(outDType)} *const o = (${cType(outDType)} *)(arena + ${params.buffer(kernel.out, bufferOffset(kernel.out))});`,
  );
  const keptCounters = nest.keptShape.slice(0, keptInner).map((_, d) => `i${d}`);
  const redCounters = nest.redShape.slice(0, redInner).map((_, d) => `r${d}`);
  // Tiles split the first kept axis; when that is the contiguous one, in runs of lanes.
  const outerLoops = keptCounters.map((c, d) =>
    d === 0
      ? `for (int64_t ${c} = begin; ${c} < end; ${c}++)`
      : `for (int64_t ${c} = 0; ${c} < ${params.int(nest.keptShape[d]!)}; ${c}++)`,
  );
  const [jFrom, jTo] = keptInner === 0 ? ["begin", "end"] : ["0", params.int(nest.keptShape[keptInner]!)];
  const redLoops = redCounters.map(
    (c, d) => `for (int64_t ${c} = 0; ${c} < ${params.int(nest.redShape[d]!)}; ${c}++)`,
  );
  const nR = params.int(nest.redShape[redInner]!);
  const outBase = positionExpr(
    params,
    "0",
    keptCounters.map((c, d) => [c, nest.keptStrides[leaves.length]![d]!] as const),
  );
  const place = plans.map((plan) => {
    const k = plan.index;
    const keptTerms = keptCounters.map((c, d) => [c, nest.keptStrides[k]![d]!] as const);
    const redTerms = redCounters.map((c, d) => [c, nest.redStrides[k]![d]!] as const);
    const start = nest.keptStrides[k]![keptInner] === 0 ? "" : " + jb";
    return placeLeaf(
      plan,
      `${positionExpr(params, plan.leaf.view.offset, [...keptTerms, ...redTerms])}${start}`,
    );
  });
  // The value of the leaf for lane l at reduced step r.
  const read = (leaf: Leaf, l: string) => {
    const plan = plans[leaves.indexOf(leaf)]!;
    const i = plan.index;
    const at = plan.inner === "0" ? `r * rs${i}` : `r * rs${i} + ${l}`;
    if (leaf.kind === "load") return leaf.dtype === "bool" ? `(int)l${i}[${at}]` : `l${i}[${at}]`;
    const index = `(q${i} + ${at})`;
    if (leaf.kind === "random") {
      return `${leaf.distribution === "uniform" ? "rnd_uniform" : "rnd_normal"}(seed${i}, (uint32_t)${index})`;
    }
    if (leaf.dtype === "float32") return `((float)((double)(int32_t)${index} * step${i} + start${i}))`;
    return `i_add(i_mul((int32_t)${index}, step${i}), start${i})`;
  };
  const value = (l: string) => cExpr(kernel.expr, (leaf) => read(leaf, l));
  const finalize = (x: string) => (kernel.finalize ? cExpr(kernel.finalize, () => "", x) : x);
  const stored = (x: string) => (outDType === "bool" ? `(uint8_t)(${x})` : x);
  const overReduced = (body: string[]) => [
    ...redLoops.map((l, d) => `${"  ".repeat(d)}${l} {`),
    ...indent([...place, `for (int64_t r = 0; r < ${nR}; r++) {`, ...indent(body, 1), "}"], redLoops.length),
    ...redLoops.map((_, d) => `${"  ".repeat(redLoops.length - 1 - d)}}`),
  ];
  const scalarRun = (width: number) => [
    `const int64_t w = ${jTo} - jb < ${width} ? ${jTo} - jb : ${width};`,
    `${t} acc[${width}];`,
    `for (int l = 0; l < ${width}; l++) acc[l] = ${init};`,
    `if (w == ${width}) {`,
    ...indent(
      overReduced([`for (int l = 0; l < ${width}; l++) acc[l] = ${combine("acc[l]", value("l"))};`]),
      1,
    ),
    "} else {",
    ...indent(overReduced([`for (int64_t l = 0; l < w; l++) acc[l] = ${combine("acc[l]", value("l"))};`]), 1),
    "}",
    `for (int64_t l = 0; l < w; l++) o[${outBase} + jb + l] = ${stored(finalize("acc[l]"))};`,
  ];
  // float32: BLOCK vectors of neighbouring outputs per pass, so each step along the reduced
  // axis reads BLOCK·lanes contiguous floats (whole cache lines, one stream per pass); the
  // columns left at the end of a tile are reduced one by one.
  const width = lanes * BLOCK;
  const isMax = kernel.op === "max";
  const vectorRun = [
    `const int64_t w = ${jTo} - jb < ${width} ? ${jTo} - jb : ${width};`,
    `if (w == ${width}) {`,
    ...indent(
      [
        ...Array.from({ length: BLOCK }, (_, u) =>
          isMax ? declareVectorMax(`a${u}`, lanes) : [`vf a${u} = {0};`],
        ).flat(),
        ...overReduced(
          Array.from({ length: BLOCK }, (_, u) => {
            const v = `v${u}`;
            const gathered = gatherVector(lanes, (l) => value(`${u * lanes} + ${l}`), v);
            return [...gathered, ...(isMax ? vectorMaxStep(`a${u}`, v) : [`a${u} = a${u} + ${v};`])];
          }).flat(),
        ),
        `for (int l = 0; l < ${lanes}; l++) {`,
        ...Array.from({ length: BLOCK }, (_, u) => {
          const lane = isMax ? vectorMaxResult(`a${u}`, "l") : `a${u}[l]`;
          return `  o[${outBase} + jb + ${u * lanes} + l] = ${stored(finalize(lane))};`;
        }),
        "}",
      ],
      1,
    ),
    "} else {",
    `  for (int64_t l = 0; l < w; l++) {`,
    ...indent(
      [
        ...(isMax ? declareScalarMax("m") : ["float m = 0.0f;"]),
        ...overReduced(isMax ? scalarMaxStep("m", value("l")) : [`m = m + ${value("l")};`]),
        `o[${outBase} + jb + l] = ${stored(finalize(isMax ? maxResult("m") : "m"))};`,
      ],
      2,
    ),
    "  }",
    "}",
  ];
  const step = float ? width : lanes;
  const body = [
    `for (int64_t jb = ${jFrom}; jb < ${jTo}; jb += ${step}) {`,
    ...indent(float ? vectorRun : scalarRun(lanes), 1),
    "}",
  ];
  const source = loopNestSource({
    declarations: float ? [vectorTypes(lanes)] : [],
    top,
    loops: outerLoops,
    body,
  });
  return { code: { source, contract: false }, params, units: nest.keptShape[0]! };
}

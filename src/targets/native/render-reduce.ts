import type { Leaf } from "../../compiler/kernels/expr.js";
import { exprLeaves } from "../../compiler/kernels/expr.js";
import type { ReduceKernel } from "../../compiler/kernels/kernel-ir.js";
import { coalesceAxes } from "../../compiler/kernels/loop-nest.js";
import { stridesOf } from "../../ir/shape.js";
import { cExpr, cReduction, cType } from "./c-expr.js";
import {
  declareLeaf,
  type LeafPlan,
  placeLeaf,
  positionExpr,
  readLeaf,
  strideClass,
} from "./c-leaf-access.js";
import {
  declareScalarMax,
  declareVectorMax,
  foldLane,
  gatherVector,
  maxResult,
  scalarMaxStep,
  vectorMaxStep,
  vectorTypes,
} from "./c-max-reduce.js";
import { KernelParams } from "./kernel-params.js";
import { indent, loopNestSource, type RenderedNativeKernel } from "./native-kernel.js";
import { renderReduceColumns } from "./render-reduce-columns.js";

/**
 * A reduction as C: loops over the kept axes outside (the first one over the tile range,
 * so each row is computed whole by one tile), the reduced axes inside. The innermost
 * reduced axis accumulates into `lanes` partial results, a fixed-length loop the compiler
 * keeps in vector registers, then a scalar tail; the partials are combined in a fixed
 * order (a float max keeps running maxima and flags instead: c-max-reduce.ts). The row's value goes through `finalize` (a mean's division) and is stored; a
 * fused epilogue then sweeps the row again (still in cache), writing an elementwise
 * result that uses the row's value, as the wasm kernels do.
 *
 * The order of operations depends only on the kernel, never on the tiling, so results do
 * not depend on the thread count.
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: it writes one C function, whose parts (declarations, loop nest, lanes, tail, finalize, epilogue) share the parameters and names it declares
export function renderReduce(
  kernel: ReduceKernel,
  bufferOffset: (buffer: number) => number,
  lanes: number,
): RenderedNativeKernel | undefined {
  const kept = [...kernel.shape.keys()].filter((a) => !kernel.axes.includes(a));
  const keptShape = kept.map((a) => kernel.shape[a]!);
  if (keptShape.some((d) => d === 0)) return undefined;
  const reducedAxes = [...kernel.axes];
  const epilogue = kernel.epilogue;
  // Every view over the full index space: prologue leaves, epilogue leaves, epilogue output.
  const proLeaves = exprLeaves(kernel.expr);
  const epiLeaves = epilogue ? exprLeaves(epilogue.expr) : [];
  const leaves = [...proLeaves, ...epiLeaves];
  const views = [
    ...leaves.map((l) => l.view),
    ...(epilogue ? [{ strides: stridesOf(kernel.shape), offset: 0 }] : []),
  ];
  const epiOut = leaves.length;
  const keptNest = coalesceAxes(keptShape, [
    ...views.map((v) => kept.map((a) => v.strides[a]!)),
    stridesOf(keptShape),
  ]);
  const red = coalesceAxes(
    reducedAxes.map((a) => kernel.shape[a]!),
    views.map((v) => reducedAxes.map((a) => v.strides[a]!)),
  );
  const redDims = red.shape.length ? red.shape : [1];
  const redStrides = red.shape.length ? red.strides : red.strides.map(() => [0]);
  const inner = redDims.length - 1;
  const params = new KernelParams();
  // Rows reduced across (the reduced axis strided, the kept one contiguous): many outputs at once.
  const keptInner = keptNest.shape.length - 1;
  const acrossRows =
    !epilogue &&
    keptInner >= 0 &&
    keptNest.shape[keptInner]! >= 4 &&
    keptNest.strides[views.length]![keptInner] === 1 &&
    leaves.every((_, k) => [0, 1].includes(keptNest.strides[k]![keptInner]!)) &&
    leaves.some((l, k) => l.kind === "load" && ![0, 1].includes(redStrides[k]![inner]!));
  if (acrossRows) {
    return renderReduceColumns(
      kernel,
      leaves,
      { keptShape: keptNest.shape, keptStrides: keptNest.strides, redShape: redDims, redStrides },
      params,
      bufferOffset,
      lanes,
    );
  }
  const plans: LeafPlan[] = leaves.map((leaf, index) => ({
    leaf,
    index,
    inner: strideClass(redStrides[index]![inner]!),
  }));

  const { t, float, outDType, init, combine } = cReduction(kernel);

  const top: string[] = ["char *const arena = (char *)(intptr_t)p[0];"];
  plans.forEach((plan) => {
    top.push(...declareLeaf(plan, redStrides[plan.index]![inner]!, params, bufferOffset));
  });
  top.push(
    `${cType(outDType)} *const o = (${cType(outDType)} *)(arena + ${params.buffer(kernel.out, bufferOffset(kernel.out))});`,
  );
  const epiClass = epilogue ? strideClass(redStrides[epiOut]![inner]!) : "1";
  if (epilogue) {
    const et = cType(epilogue.expr.dtype);
    top.push(
      `${et} *const eb = (${et} *)(arena + ${params.buffer(epilogue.out, bufferOffset(epilogue.out))});`,
    );
    if (epiClass === "n") top.push(`const int64_t se = ${params.int(redStrides[epiOut]![inner]!)};`);
  }

  const keptCounters = keptNest.shape.map((_, d) => `i${d}`);
  const keptLoops = keptCounters.map((c, d) =>
    d === 0
      ? `for (int64_t ${c} = begin; ${c} < end; ${c}++)`
      : `for (int64_t ${c} = 0; ${c} < ${params.int(keptNest.shape[d]!)}; ${c}++)`,
  );
  // No kept axis: one output, computed by the single tile [0, 1).
  if (keptLoops.length === 0) keptLoops.push("if (begin == 0)");
  const redCounters = redDims.slice(0, inner).map((_, d) => `r${d}`);
  const redLoops = redCounters.map(
    (c, d) => `for (int64_t ${c} = 0; ${c} < ${params.int(redDims[d]!)}; ${c}++)`,
  );
  const outIndex = positionExpr(
    params,
    "0",
    keptCounters.map((c, d) => [c, keptNest.strides[views.length]![d]!] as const),
  );
  const position = (k: number) => {
    const keptTerms = keptCounters.map((c, d) => [c, keptNest.strides[k]![d]!] as const);
    const redTerms = redCounters.map((c, d) => [c, redStrides[k]![d]!] as const);
    return positionExpr(params, views[k]!.offset, [...keptTerms, ...redTerms]);
  };
  const n = params.int(redDims[inner]!);
  const valueAt = (expr: typeof kernel.expr, j: string, reduced?: string) =>
    cExpr(expr, (leaf: Leaf) => readLeaf(plans[leaves.indexOf(leaf)]!, j), reduced);

  const proPlace = plans.slice(0, proLeaves.length).map((plan) => placeLeaf(plan, position(plan.index)));
  // A float max keeps vectors of running maxima and applies the NaN and zero rules at the end
  // (c-max-reduce.ts); a sum, or an integer max, accumulates `lanes` partials in a fixed order.
  const vectorMax = float && kernel.op === "max";
  const reduceInner = vectorMax
    ? [
        ...proPlace,
        "int64_t j = 0;",
        `for (; j + ${lanes} <= ${n}; j += ${lanes}) {`,
        ...indent(
          gatherVector(lanes, (l) => valueAt(kernel.expr, `(j + ${l})`)),
          1,
        ),
        ...indent(vectorMaxStep("vacc", "v_in"), 1),
        "}",
        `for (; j < ${n}; j++)`,
        ...indent(scalarMaxStep("tail", valueAt(kernel.expr, "j")), 1),
      ]
    : [
        ...proPlace,
        "int64_t j = 0;",
        `for (; j + ${lanes} <= ${n}; j += ${lanes}) {`,
        `  for (int l = 0; l < ${lanes}; l++) acc[l] = ${combine("acc[l]", valueAt(kernel.expr, "(j + l)"))};`,
        "}",
        `for (; j < ${n}; j++) tail = ${combine("tail", valueAt(kernel.expr, "j"))};`,
      ];
  const finalized = kernel.finalize ? valueAt(kernel.finalize, "0", "tail") : "tail";
  const epiInner = epilogue
    ? [
        ...plans.slice(proLeaves.length).map((plan) => placeLeaf(plan, position(plan.index))),
        `${cType(epilogue.expr.dtype)} *restrict e = eb + (${position(epiOut)});`,
        "#pragma GCC ivdep",
        `for (int64_t j = 0; j < ${n}; j++) e[${epiClass === "0" ? "0" : epiClass === "1" ? "j" : "j * se"}] = ${stored(epilogue.expr.dtype, valueAt(epilogue.expr, "j", "row"))};`,
      ]
    : [];
  const overRow = (body: string[]) => [
    ...redLoops.map((l, d) => `${"  ".repeat(d)}${l} {`),
    ...indent(body, redLoops.length),
    ...redLoops.map((_, d) => `${"  ".repeat(redLoops.length - 1 - d)}}`),
  ];
  const accumulate = vectorMax
    ? [
        ...declareVectorMax("vacc", lanes),
        ...declareScalarMax("tail"),
        ...overRow(reduceInner),
        `for (int l = 0; l < ${lanes}; l++) {`,
        ...indent(foldLane("tail", "vacc", "l"), 1),
        "}",
        `tail = ${maxResult("tail")};`,
      ]
    : [
        `${t} acc[${lanes}];`,
        `for (int l = 0; l < ${lanes}; l++) acc[l] = ${init};`,
        `${t} tail = ${init};`,
        ...overRow(reduceInner),
        `for (int l = 0; l < ${lanes}; l++) tail = ${combine("tail", "acc[l]")};`,
      ];
  const perRow = [
    ...accumulate,
    `const ${cType(outDType)} row = ${stored(outDType, finalized)};`,
    `o[${outIndex}] = row;`,
    ...(epilogue ? overRow(epiInner) : []),
  ];
  const source = loopNestSource({
    declarations: vectorMax ? [vectorTypes(lanes)] : [],
    top,
    loops: keptLoops,
    body: perRow,
  });
  return { code: { source, contract: false }, params, units: keptNest.shape.length ? keptNest.shape[0]! : 1 };
}

/** A value as stored: bools as bytes. */
function stored(dtype: string, value: string): string {
  return dtype === "bool" ? `(uint8_t)(${value})` : value;
}

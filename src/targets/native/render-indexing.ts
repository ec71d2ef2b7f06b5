import type { InstructionKernel } from "../../compiler/kernels/kernel-ir.js";
import type { DType } from "../../ir/dtype.js";
import { InstructionError } from "../../isa/errors.js";
import { cPrelude } from "./c-prelude.js";
import { KernelParams } from "./kernel-params.js";
import { kernelSignature, type RenderedNativeKernel } from "./native-kernel.js";

/**
 * gather and scatterAdd as C (embedding lookups and their gradients), with the reference
 * semantics of isa/indexing.ts. Both see x as [outer, len, inner] around the axis and the
 * taken slices as [outer, count, inner].
 *
 * A C kernel cannot throw: an index outside the axis is written to the kernel's error
 * slots (a flag, then the index), its slice left as zeros (gather) or untouched
 * (scatterAdd), and the program raises the instruction's error once the run is over.
 */

/** Contiguous elements per scatterAdd tile unit along the inner axis. */
const SCATTER_COLUMNS = 256;

interface Layout {
  readonly outer: number;
  readonly len: number;
  readonly inner: number;
  readonly count: number;
}

function layout(kernel: InstructionKernel): Layout {
  const [xShape, indexShape] = kernel.inputShapes as [readonly number[], readonly number[]];
  const axis = kernel.attrs.axis as number;
  const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
  return {
    outer: product(xShape.slice(0, axis)),
    len: xShape[axis]!,
    inner: product(xShape.slice(axis + 1)),
    count: product(indexShape),
  };
}

/** The error a kernel reports through its error slots. */
function indexError(name: string, kernel: InstructionKernel, len: number) {
  const axis = kernel.attrs.axis as number;
  return (index: number) =>
    new InstructionError(name, `index ${index} is out of range for axis ${axis} of size ${len}`);
}

const C_TYPES: Record<DType, string> = {
  float32: "float",
  int32: "int32_t",
  bool: "uint8_t",
  uint8: "uint8_t",
};

/** gather: one tile unit per taken slice (outer × count), each a copy of `inner` elements. */
export function renderGather(
  kernel: InstructionKernel,
  bufferOffset: (buffer: number) => number,
  _threads: number,
  dtypeOf: (buffer: number) => DType,
): RenderedNativeKernel | undefined {
  const { outer, len, inner, count } = layout(kernel);
  if (outer * count * inner === 0) return undefined;
  const dtype = dtypeOf(kernel.out);
  const t = C_TYPES[dtype]!;
  const params = new KernelParams();
  const [x, indices] = kernel.inputs as [number, number];
  const xb = params.buffer(x, bufferOffset(x));
  const ib = params.buffer(indices, bufferOffset(indices));
  const ob = params.buffer(kernel.out, bufferOffset(kernel.out));
  const [pLen, pInner, pCount] = [params.int(len), params.int(inner), params.int(count)];
  const errorSlot = params.length;
  params.int(0);
  params.int(0);
  const source = `${cPrelude()}
${kernelSignature()} {
  char *const arena = (char *)(intptr_t)p[0];
  const ${t} *const x = (const ${t} *)(arena + ${xb});
  const int32_t *const ids = (const int32_t *)(arena + ${ib});
  ${t} *const out = (${t} *)(arena + ${ob});
  const int64_t len = ${pLen}, inner = ${pInner}, count = ${pCount};
  for (int64_t u = begin; u < end; u++) {
    const int64_t o = u / count, id = ids[u - o * count];
    ${t} *restrict dst = out + u * inner;
    if (id < 0 || id >= len) {
      memset(dst, 0, (size_t)inner * sizeof *dst);
      ((int64_t *)p)[${errorSlot + 1}] = id;
      ((int64_t *)p)[${errorSlot}] = 1;
      continue;
    }
    memcpy(dst, x + (o * len + id) * inner, (size_t)inner * sizeof *dst);
  }
}
`;
  return {
    code: { source, contract: false },
    params,
    units: outer * count,
    failure: { slot: errorSlot, error: indexError("gather", kernel, len) },
  };
}

/**
 * scatterAdd: out = x, then each taken slice of updates added in the order of the indices
 * (as the reference does, so the sums round the same). A tile unit is a block of inner
 * columns of one outer slice, covering every index: no two threads add into one element.
 */
export function renderScatterAdd(
  kernel: InstructionKernel,
  bufferOffset: (buffer: number) => number,
  _threads: number,
  dtypeOf: (buffer: number) => DType,
): RenderedNativeKernel | undefined {
  const dtype = dtypeOf(kernel.out);
  if (dtype === "bool" || dtype === "uint8") return undefined;
  const { outer, len, inner, count } = layout(kernel);
  if (outer * len * inner === 0) return undefined;
  const t = C_TYPES[dtype]!;
  const add = dtype === "float32" ? "a + b" : "i_add(a, b)";
  const params = new KernelParams();
  const [x, indices, updates] = kernel.inputs as [number, number, number];
  const xb = params.buffer(x, bufferOffset(x));
  const ib = params.buffer(indices, bufferOffset(indices));
  const ub = params.buffer(updates, bufferOffset(updates));
  const ob = params.buffer(kernel.out, bufferOffset(kernel.out));
  const blocks = Math.ceil(inner / SCATTER_COLUMNS);
  const [pLen, pInner, pCount, pBlocks] = [
    params.int(len),
    params.int(inner),
    params.int(count),
    params.int(blocks),
  ];
  const errorSlot = params.length;
  params.int(0);
  params.int(0);
  const source = `${cPrelude()}
static inline ${t} add(${t} a, ${t} b) { return ${add}; }
${kernelSignature()} {
  char *const arena = (char *)(intptr_t)p[0];
  const ${t} *const x = (const ${t} *)(arena + ${xb});
  const int32_t *const ids = (const int32_t *)(arena + ${ib});
  const ${t} *const upd = (const ${t} *)(arena + ${ub});
  ${t} *const out = (${t} *)(arena + ${ob});
  const int64_t len = ${pLen}, inner = ${pInner}, count = ${pCount}, blocks = ${pBlocks};
  for (int64_t u = begin; u < end; u++) {
    const int64_t o = u / blocks, c0 = (u - o * blocks) * ${SCATTER_COLUMNS};
    const int64_t w = inner - c0 < ${SCATTER_COLUMNS} ? inner - c0 : ${SCATTER_COLUMNS};
    for (int64_t r = 0; r < len; r++) {
      const int64_t at = (o * len + r) * inner + c0;
      memcpy(out + at, x + at, (size_t)w * sizeof *out);
    }
    for (int64_t j = 0; j < count; j++) {
      const int64_t id = ids[j];
      if (id < 0 || id >= len) {
        ((int64_t *)p)[${errorSlot + 1}] = id;
        ((int64_t *)p)[${errorSlot}] = 1;
        continue;
      }
      ${t} *restrict dst = out + (o * len + id) * inner + c0;
      const ${t} *restrict src = upd + (o * count + j) * inner + c0;
      for (int64_t c = 0; c < w; c++) dst[c] = add(dst[c], src[c]);
    }
  }
}
`;
  return {
    code: { source, contract: false },
    params,
    units: outer * blocks,
    failure: { slot: errorSlot, error: indexError("scatterAdd", kernel, len) },
  };
}

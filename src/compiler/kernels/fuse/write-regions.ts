import { contiguousView, sliceView } from "../view.js";
import { type FuseHandler, shapeOf } from "./fusion.js";

/** pad and concat write their (possibly fused) operands through views of the output: no copies. */
export const WRITE_REGIONS: Readonly<Record<string, FuseHandler>> = {
  // Fill with the pad value, then write the operand into the interior.
  pad: (step, f) => {
    const info = f.program.slots[step.output]!;
    const out = f.newBuffer(info.shape, info.dtype);
    const value = step.attrs.value as number;
    f.kernels.push({
      kind: "elementwise",
      out,
      shape: info.shape,
      expr: { kind: "const", value, dtype: info.dtype },
      fused: ["pad"],
    });
    const x = f.input(step, 0);
    const { expr, fused } = f.asExpr(x);
    const before = step.attrs.before as number[];
    const inner = sliceView(
      contiguousView(info.shape),
      before,
      before.map((b, i) => b + shapeOf(x)[i]!),
      before.map(() => 1),
    );
    f.kernels.push({
      kind: "elementwise",
      out,
      shape: inner.shape,
      outView: inner,
      expr,
      fused: [...fused, "pad"],
    });
    return f.wholeBuffer(out, info.shape, info.dtype);
  },
  concat: (step, f) => {
    const info = f.program.slots[step.output]!;
    const out = f.newBuffer(info.shape, info.dtype);
    const axis = step.attrs.axis as number;
    let offset = 0;
    for (const slot of step.inputs) {
      const part = f.valueAt(slot);
      const shape = shapeOf(part);
      const starts = shape.map((_, i) => (i === axis ? offset : 0));
      const region = sliceView(
        contiguousView(info.shape),
        starts,
        shape.map((d, i) => starts[i]! + d),
        shape.map(() => 1),
      );
      const { expr, fused } = f.asExpr(part);
      f.kernels.push({
        kind: "elementwise",
        out,
        shape,
        outView: region,
        expr,
        fused: [...fused, "concat"],
      });
      offset += shape[axis]!;
    }
    return f.wholeBuffer(out, info.shape, info.dtype);
  },
};

import { expandView, flipView, permuteView, reshapeView, sliceView } from "../view.js";
import type { FuseHandler } from "./fusion.js";

/** Movement instructions become views of their operand (index arithmetic), not copies, where possible. */
export const MOVEMENT: Readonly<Record<string, FuseHandler>> = {
  reshape: (step, f) => f.moved(f.input(step, 0), (v) => reshapeView(v, f.program.slots[step.output]!.shape)),
  permute: (step, f) => f.moved(f.input(step, 0), (v) => permuteView(v, step.attrs.axes as number[])),
  expand: (step, f) => f.moved(f.input(step, 0), (v) => expandView(v, f.program.slots[step.output]!.shape)),
  slice: (step, f) =>
    f.moved(f.input(step, 0), (v) =>
      sliceView(v, step.attrs.starts as number[], step.attrs.ends as number[], step.attrs.steps as number[]),
    ),
  flip: (step, f) => f.moved(f.input(step, 0), (v) => flipView(v, step.attrs.axes as number[])),
};

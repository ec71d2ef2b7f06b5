// Rotary position embedding as llama.cpp computes it: pair i of a head turns by
// position · scale · base^(−2i/dims), the angle advanced by repeated float32 multiplication
// as ggml's cache does, so the rotations match its to float32 rounding.

import { adoptArray } from "../../tensor/creation.js";
import { concat, stack } from "../../tensor/functions.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { LlamaConfig } from "./config.js";

export interface RopeTables {
  /** [positions, dims/2] */
  cos: Tensor;
  sin: Tensor;
  positions: number;
}

export function ropeTables(config: LlamaConfig, positions: number): RopeTables {
  const half = config.ropeDims / 2;
  const cos = new Float32Array(positions * half);
  const sin = new Float32Array(positions * half);
  const step = Math.fround(config.ropeBase ** (-2 / config.ropeDims));
  for (let p = 0; p < positions; p++) {
    let theta = Math.fround(p * config.ropeScale);
    for (let i = 0; i < half; i++) {
      cos[p * half + i] = Math.cos(theta);
      sin[p * half + i] = Math.sin(theta);
      theta = Math.fround(theta * step);
    }
  }
  return { cos: adoptArray(cos, [positions, half]), sin: adoptArray(sin, [positions, half]), positions };
}

/** Rotates x [B, T, heads, headDim] for the positions (int32 [T]) of its T rows. */
export function applyRope(x: Tensor, positionIds: Tensor, tables: RopeTables, config: LlamaConfig): Tensor {
  const [batch, time, heads, headDim] = x.shape as [number, number, number, number];
  const dims = config.ropeDims;
  const half = dims / 2;
  const cos = tables.cos.gather(positionIds, 0).reshape([1, time, 1, half]);
  const sin = tables.sin.gather(positionIds, 0).reshape([1, time, 1, half]);
  const rotated = x.slice([0, 0, 0, 0], [batch, time, heads, dims]);
  let out: Tensor;
  if (config.ropePairs === "adjacent") {
    const pairs = rotated.reshape([batch, time, heads, half, 2]);
    const a = pairs.slice([0, 0, 0, 0, 0], [batch, time, heads, half, 1]).reshape([batch, time, heads, half]);
    const b = pairs.slice([0, 0, 0, 0, 1], [batch, time, heads, half, 2]).reshape([batch, time, heads, half]);
    out = stack([a.mul(cos).sub(b.mul(sin)), a.mul(sin).add(b.mul(cos))], 4).reshape([
      batch,
      time,
      heads,
      dims,
    ]);
  } else {
    const a = rotated.slice([0, 0, 0, 0], [batch, time, heads, half]);
    const b = rotated.slice([0, 0, 0, half], [batch, time, heads, dims]);
    out = concat([a.mul(cos).sub(b.mul(sin)), b.mul(cos).add(a.mul(sin))], 3);
  }
  return dims === headDim ? out : concat([out, x.slice([0, 0, 0, dims], [batch, time, heads, headDim])], 3);
}

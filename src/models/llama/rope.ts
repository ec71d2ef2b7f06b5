// Rotary position embedding as llama.cpp computes it: pair i of a head turns by
// position · scale · base^(−2i/dims), the angle advanced by repeated float32 multiplication
// as ggml's cache does, so the rotations match its to float32 rounding. The pairs are
// adjacent elements (x[2i], x[2i+1]) in llama files and the two halves (x[i], x[i+d/2]) in
// qwen2 files. A rotation is x·cos + swap(x)·sin±, where swap exchanges each pair's members
// (a flip, which is a view) and sin± carries the signs: one elementwise kernel.
import { adoptArray } from "../../tensor/creation.js";
import { concat } from "../../tensor/functions.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { LlamaConfig } from "./config.js";

export interface RopeTables {
  /** [positions, dims]: each pair's cosine at both its members. */
  cos: Tensor;
  /** [positions, dims]: −sin at a pair's first member, +sin at its second. */
  sin: Tensor;
}

export function ropeTables(config: LlamaConfig, positions: number): RopeTables {
  const dims = config.ropeDims;
  const half = dims / 2;
  const cos = new Float32Array(positions * dims);
  const sin = new Float32Array(positions * dims);
  const step = Math.fround(config.ropeBase ** (-2 / dims));
  for (let p = 0; p < positions; p++) {
    let theta = Math.fround(p * config.ropeScale);
    for (let i = 0; i < half; i++) {
      const [first, second] = config.ropePairs === "adjacent" ? [2 * i, 2 * i + 1] : [i, i + half];
      const c = Math.cos(theta);
      const s = Math.sin(theta);
      cos[p * dims + first] = c;
      cos[p * dims + second] = c;
      sin[p * dims + first] = -s;
      sin[p * dims + second] = s;
      theta = Math.fround(theta * step);
    }
  }
  return { cos: adoptArray(cos, [positions, dims]), sin: adoptArray(sin, [positions, dims]) };
}

/**
 * Rotates x [B, T, heads, headDim] for the positions of its rows: int32 [T] shared by the
 * batch, or [B, T] (sequences at different positions, decoded together).
 */
export function applyRope(x: Tensor, positionIds: Tensor, tables: RopeTables, config: LlamaConfig): Tensor {
  const [batch, time, heads, headDim] = x.shape as [number, number, number, number];
  const dims = config.ropeDims;
  const rows = positionIds.rank === 2 ? batch : 1;
  const flat = positionIds.reshape([rows * time]);
  const cos = tables.cos.gather(flat, 0).reshape([rows, time, 1, dims]);
  const sin = tables.sin.gather(flat, 0).reshape([rows, time, 1, dims]);
  const rotated = dims === headDim ? x : x.slice([0, 0, 0, 0], [batch, time, heads, dims]);
  const pairs =
    config.ropePairs === "adjacent" ? [batch, time, heads, dims / 2, 2] : [batch, time, heads, 2, dims / 2];
  const swapped = rotated
    .reshape(pairs)
    .flip(config.ropePairs === "adjacent" ? 4 : 3)
    .reshape([batch, time, heads, dims]);
  const out = rotated.mul(cos).add(swapped.mul(sin));
  return dims === headDim ? out : concat([out, x.slice([0, 0, 0, dims], [batch, time, heads, headDim])], 3);
}

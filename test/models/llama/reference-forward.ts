// A plain float64 forward pass of a llama/qwen2 GGUF model, written from the equations with
// loops over arrays, to check the tensor implementation against.
import type { GgufFile } from "../../../src/formats/gguf/gguf-file.js";
import { configFromGguf } from "../../../src/models/llama/config.js";
import { readFloat32 } from "../../../src/models/llama/weights.js";

function matVec(
  w: Float32Array,
  x: Float64Array,
  out: number,
  inFeatures: number,
  bias?: Float32Array,
): Float64Array {
  const y = new Float64Array(out);
  for (let o = 0; o < out; o++) {
    let s = bias ? bias[o]! : 0;
    for (let i = 0; i < inFeatures; i++) s += w[o * inFeatures + i]! * x[i]!;
    y[o] = s;
  }
  return y;
}

function rmsNorm(x: Float64Array, w: Float32Array, eps: number): Float64Array {
  let ss = 0;
  for (const v of x) ss += v * v;
  const scale = 1 / Math.sqrt(ss / x.length + eps);
  return x.map((v, i) => v * scale * w[i]!);
}

/** Logits [T][vocab] for every position of `ids`. */
export function referenceLogits(file: GgufFile, ids: readonly number[]): Float64Array[] {
  const c = configFromGguf(file);
  const w = (name: string) => readFloat32(file, name);
  const has = (name: string) => file.hasTensor(name);
  const { embd, nHead, nHeadKv, headDim, ffn, vocabSize } = c;
  const embedding = w("token_embd.weight");
  const output = has("output.weight") ? w("output.weight") : embedding;
  const keys: Float64Array[][] = Array.from({ length: c.nLayer }, () => []);
  const values: Float64Array[][] = Array.from({ length: c.nLayer }, () => []);
  const rope = (x: Float64Array, heads: number, pos: number) => {
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < c.ropeDims / 2; i++) {
        const theta = pos * c.ropeScale * c.ropeBase ** ((-2 * i) / c.ropeDims);
        const [ia, ib] = c.ropePairs === "adjacent" ? [2 * i, 2 * i + 1] : [i, i + c.ropeDims / 2];
        const a = x[h * headDim + ia]!;
        const b = x[h * headDim + ib]!;
        x[h * headDim + ia] = a * Math.cos(theta) - b * Math.sin(theta);
        x[h * headDim + ib] = a * Math.sin(theta) + b * Math.cos(theta);
      }
    }
  };
  return ids.map((id, pos) => {
    let x = Float64Array.from(embedding.subarray(id * embd, (id + 1) * embd));
    for (let l = 0; l < c.nLayer; l++) {
      const p = `blk.${l}`;
      const bias = (name: string) => (has(`${p}.${name}.bias`) ? w(`${p}.${name}.bias`) : undefined);
      const h = rmsNorm(x, w(`${p}.attn_norm.weight`), c.normEps);
      const q = matVec(w(`${p}.attn_q.weight`), h, nHead * headDim, embd, bias("attn_q"));
      const k = matVec(w(`${p}.attn_k.weight`), h, nHeadKv * headDim, embd, bias("attn_k"));
      const v = matVec(w(`${p}.attn_v.weight`), h, nHeadKv * headDim, embd, bias("attn_v"));
      rope(q, nHead, pos);
      rope(k, nHeadKv, pos);
      keys[l]!.push(k);
      values[l]!.push(v);
      const joined = new Float64Array(nHead * headDim);
      for (let head = 0; head < nHead; head++) {
        const kv = Math.floor(head / (nHead / nHeadKv));
        const scores = keys[l]!.map((key) => {
          let s = 0;
          for (let d = 0; d < headDim; d++) s += q[head * headDim + d]! * key[kv * headDim + d]!;
          return s / Math.sqrt(headDim);
        });
        const max = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - max));
        const total = e.reduce((a, b) => a + b, 0);
        e.forEach((weight, t) => {
          for (let d = 0; d < headDim; d++)
            joined[head * headDim + d]! += (weight / total) * values[l]![t]![kv * headDim + d]!;
        });
      }
      const attn = matVec(w(`${p}.attn_output.weight`), joined, embd, nHead * headDim);
      x = x.map((v, i) => v + attn[i]!);
      const f = rmsNorm(x, w(`${p}.ffn_norm.weight`), c.normEps);
      const gate = matVec(w(`${p}.ffn_gate.weight`), f, ffn, embd);
      const up = matVec(w(`${p}.ffn_up.weight`), f, ffn, embd);
      const hidden = gate.map((g, i) => (g / (1 + Math.exp(-g))) * up[i]!);
      const down = matVec(w(`${p}.ffn_down.weight`), hidden, embd, ffn);
      x = x.map((v, i) => v + down[i]!);
    }
    return matVec(output, rmsNorm(x, w("output_norm.weight"), c.normEps), vocabSize, embd);
  });
}

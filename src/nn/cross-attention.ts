import type { Tensor } from "../tensor/tensor.js";
import { checkSize } from "./check-size.js";
import { Dropout } from "./dropout.js";
import type { InitOptions } from "./init.js";
import { Linear } from "./linear.js";
import { Module } from "./module.js";
import type { SeedStream } from "./seed-stream.js";

export interface CrossAttentionOptions extends InitOptions {
  /** Biases in the projections (default true). */
  bias?: boolean;
  /** Dropout on the attention weights and on the output (default 0). */
  dropout?: number;
  seeds?: SeedStream;
}

/**
 * Multi-head attention from a decoder to an encoder's output (the "memory"): queries from
 * the decoder positions (`q`: [embd] → [embd]), keys and values from the memory (`kv`:
 * [embd] → [2·embd], keys first), softmax(q·kᵀ/√headDim + keyBias) per head, and `proj`
 * back to [embd]. The memory's projections depend only on the source, so a decoder
 * computes them once (`memoryProjections`) and reuses them at every step.
 * Sublayers: `q`, `kv`, `proj`, `attnDropout`, `residDropout`.
 */
export class CrossAttention extends Module {
  readonly q: Linear;
  readonly kv: Linear;
  readonly proj: Linear;
  readonly attnDropout: Dropout;
  readonly residDropout: Dropout;
  readonly headDim: number;

  constructor(
    readonly embd: number,
    readonly nHead: number,
    options: CrossAttentionOptions = {},
  ) {
    super();
    checkSize("CrossAttention", "embd", embd);
    checkSize("CrossAttention", "nHead", nHead);
    if (embd % nHead !== 0)
      throw new Error(`CrossAttention: embd ${embd} is not divisible by nHead ${nHead}`);
    this.headDim = embd / nHead;
    const linear = { bias: options.bias ?? true, rng: options.rng };
    this.q = this.submodule("q", new Linear(embd, embd, linear));
    this.kv = this.submodule("kv", new Linear(embd, 2 * embd, linear));
    this.proj = this.submodule("proj", new Linear(embd, embd, linear));
    const drop = { seeds: options.seeds };
    this.attnDropout = this.submodule("attnDropout", new Dropout(options.dropout ?? 0, drop));
    this.residDropout = this.submodule("residDropout", new Dropout(options.dropout ?? 0, drop));
  }

  /** memory [B, S, embd] → its keys and values [B, S, 2·embd]. */
  memoryProjections(memory: Tensor): Tensor {
    return this.kv.forward(memory);
  }

  /**
   * x [B, T, embd] attends to the memory's projections [B, S, 2·embd]; keyBias
   * [B, 1, 1, S] is 0 for real source positions and a large negative number for padding.
   * Returns the output [B, T, embd] and the attention weights [B, heads, T, S].
   */
  forward(x: Tensor, memoryKv: Tensor, keyBias?: Tensor): { output: Tensor; weights: Tensor } {
    if (x.rank !== 3 || x.shape[2] !== this.embd) {
      throw new Error(`CrossAttention: expects [batch, time, ${this.embd}], got [${x.shape}]`);
    }
    const [batch, time] = x.shape as [number, number, number];
    const source = memoryKv.shape[1]!;
    const heads = (rows: Tensor, length: number) =>
      rows.reshape([batch, length, this.nHead, this.headDim]).permute([0, 2, 1, 3]);
    const q = heads(this.q.forward(x), time);
    const k = heads(memoryKv.slice([0, 0, 0], [batch, source, this.embd]), source);
    const v = heads(memoryKv.slice([0, 0, this.embd], [batch, source, 2 * this.embd]), source);
    const scaled = q.matmul(k.transpose()).mul(1 / Math.sqrt(this.headDim));
    const weights = (keyBias ? scaled.add(keyBias) : scaled).softmax(-1);
    const joined = this.attnDropout
      .forward(weights)
      .matmul(v)
      .permute([0, 2, 1, 3])
      .reshape([batch, time, this.embd]);
    return { output: this.residDropout.forward(this.proj.forward(joined)), weights };
  }
}

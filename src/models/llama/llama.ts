// Decoder-only Transformers read from GGUF files: "llama" and "qwen2" (RMSNorm, RoPE,
// grouped-query attention, SwiGLU, tied or separate output; qwen2 adds q/k/v biases) and
// "gpt2" (LayerNorm, learned positions, fused qkv, GELU). Weights keep the file's layout,
// [out, in], and every projection is x·Wᵀ. A forward pass takes new token ids and a KV
// cache, so a prompt is one batched pass and each decoded token one more.
import type { GgufFile } from "../../formats/gguf/gguf-file.js";
import { type BatchStep, batchAttention, type CachedKeys } from "../../nn/batch-kv-cache.js";
import { attendCachedAndOwn } from "../../nn/cached-attention.js";
import { positionIds } from "../../nn/position-ids.js";
import type { QuantType } from "../../quant/index.js";
import type { Explanation } from "../../runtime/explain.js";
import { compile } from "../../tensor/compile.js";
import { arange, full, tensor } from "../../tensor/creation.js";
import { concat, layerNorm, rmsNorm } from "../../tensor/functions.js";
import { dequantizeRows, quantizedMatmul } from "../../tensor/quantized.js";
import type { Tensor } from "../../tensor/tensor.js";
import { configFromGguf, type LlamaConfig } from "./config.js";
import { KvCache } from "./kv-cache.js";
import { applyRope, type RopeTables, ropeTables } from "./rope.js";
import { loadPacked, loadTransposed, loadWeight } from "./weights.js";

interface Norm {
  weight: Tensor;
  bias?: Tensor;
}

interface Projection {
  /**
   * Float32 weights [in, out] (the file's [out, in] transposed once at load), or, with
   * `type`, the file's packed rows uint8 [out, rowBytes] for the quantized matmul.
   */
  weight: Tensor;
  type?: QuantType;
  bias?: Tensor;
}

export interface LlamaModelOptions {
  /**
   * Round each projection's input as llama.cpp does for the weights' type (F16, BF16, or
   * Q8 blocks for quantized weights; the quantized matmul's `roundActivations`), default
   * true: llama.cpp's products, as integer dot products. Off, the products take float32
   * activations: closer to exact, further from llama.cpp, and slower.
   */
  roundActivations?: boolean;
}

/** Attention of a block: rotated q [B, T, qDim], k and v [B, T, kvDim] → joined heads [B, T, qDim]. */
type Attention = (q: Tensor, k: Tensor, v: Tensor) => Tensor;

interface Block {
  attnNorm: Norm;
  /** q, k and v side by side (fused in gpt2 files, joined at load for llama and qwen2). */
  qkv: Projection;
  out: Projection;
  ffnNorm: Norm;
  /** gate and up side by side for SwiGLU (llama, qwen2); up alone for gpt2's GELU MLP. */
  gateUp: Projection;
  down: Projection;
}

export class LlamaModel {
  readonly config: LlamaConfig;
  /** [vocab, embd] (float32, or packed rows with `type`) when the output matrix is separate; undefined when tied. */
  readonly #embedding: { weight: Tensor; type?: QuantType } | undefined;
  readonly #positionEmbedding: Tensor | undefined;
  readonly #blocks: Block[];
  readonly #outputNorm: Norm;
  /** The output matrix (a projection embd → vocab); with tied weights also the embedding. */
  readonly #output: Projection;
  readonly #roundActivations: boolean;
  #rope: RopeTables | undefined;

  constructor(file: GgufFile, options: LlamaModelOptions = {}) {
    const config = configFromGguf(file);
    this.#roundActivations = options.roundActivations ?? true;
    this.config = config;
    const { embd, vocabSize, nHead, nHeadKv, headDim, ffn } = config;
    const gpt2 = config.architecture === "gpt2";
    const weight = (name: string, shape: number[]) => loadWeight(file, name, shape);
    const optional = (name: string, shape: number[]) =>
      file.hasTensor(name) ? weight(name, shape) : undefined;
    // Projections of one input, joined: weights [in, Σ out], biases [Σ out] when any has one.
    const projection = (names: string[], outs: number[], inFeatures: number, bias: boolean): Projection => {
      const biases = names.map((name, i) =>
        bias ? weight(`${name}.bias`, [outs[i]!]) : optional(`${name}.bias`, [outs[i]!]),
      );
      const joined = biases.every((b) => b === undefined)
        ? undefined
        : concat(
            biases.map((b, i) => b ?? full([outs[i]!], 0)),
            0,
          );
      const weights = names.map((name) => `${name}.weight`);
      const packed = loadPacked(file, weights);
      return {
        ...(packed ?? {
          weight: loadTransposed(
            file,
            weights,
            outs.map((out) => [out, inFeatures] as const),
          ),
        }),
        ...(joined ? { bias: joined } : {}),
      };
    };
    const norm = (name: string): Norm => ({
      weight: weight(`${name}.weight`, [embd]),
      ...(gpt2 ? { bias: weight(`${name}.bias`, [embd]) } : {}),
    });
    const tied = !file.hasTensor("output.weight");
    // Tied weights are kept once, as the head's; the embedding gathers from it.
    const head = tied ? "token_embd.weight" : "output.weight";
    this.#output = loadPacked(file, [head]) ?? { weight: loadTransposed(file, [head], [[vocabSize, embd]]) };
    this.#embedding = tied
      ? undefined
      : (loadPacked(file, ["token_embd.weight"]) ?? {
          weight: weight("token_embd.weight", [vocabSize, embd]),
        });
    this.#positionEmbedding = gpt2 ? weight("position_embd.weight", [config.contextLength, embd]) : undefined;
    this.#blocks = Array.from({ length: config.nLayer }, (_, i) => {
      const p = `blk.${i}`;
      const qDim = nHead * headDim;
      const kvDim = nHeadKv * headDim;
      if (gpt2) {
        return {
          attnNorm: norm(`${p}.attn_norm`),
          qkv: projection([`${p}.attn_qkv`], [3 * embd], embd, true),
          out: projection([`${p}.attn_output`], [embd], embd, true),
          ffnNorm: norm(`${p}.ffn_norm`),
          gateUp: projection([`${p}.ffn_up`], [ffn], embd, true),
          down: projection([`${p}.ffn_down`], [embd], ffn, true),
        };
      }
      const qwen = config.architecture === "qwen2";
      return {
        attnNorm: norm(`${p}.attn_norm`),
        qkv: projection([`${p}.attn_q`, `${p}.attn_k`, `${p}.attn_v`], [qDim, kvDim, kvDim], embd, qwen),
        out: projection([`${p}.attn_output`], [embd], qDim, false),
        ffnNorm: norm(`${p}.ffn_norm`),
        gateUp: projection([`${p}.ffn_gate`, `${p}.ffn_up`], [ffn, ffn], embd, false),
        down: projection([`${p}.ffn_down`], [embd], ffn, false),
      };
    });
    this.#outputNorm = norm("output_norm");
  }

  /** An empty cache for up to `capacity` positions (default: the model's context length). */
  createCache(capacity = this.config.contextLength): KvCache {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > this.config.contextLength) {
      throw new Error(`cache capacity must be 1…${this.config.contextLength}, got ${capacity}`);
    }
    return new KvCache(this.config.nLayer, capacity, this.config.nHeadKv, this.config.headDim);
  }

  /**
   * Logits for int32 ids [1, T] that follow the cache's positions. By default only the last
   * position's logits ([1, 1, vocab]); `allPositions` gives [1, T, vocab]. The step runs at
   * once, as one compiled program (traced once per shape, see `compile`); the new keys and
   * values wait in the cache until `cache.commit()` (GenerationSession does both).
   */
  forward(ids: Tensor, cache: KvCache, options: { allPositions?: boolean } = {}): Tensor {
    if (ids.dtype !== "int32" || ids.rank !== 2 || ids.shape[0] !== 1) {
      throw new Error(`LlamaModel.forward: ids must be int32 [1, time], got ${ids.dtype} [${ids.shape}]`);
    }
    const time = ids.shape[1]!;
    // Positions are data, not constants, so every decoding step runs the same program.
    const positions = positionIds(cache.length, time);
    cache.begin(time);
    const step = time === 1 ? this.#decodeStep : this.#prefillStep;
    const [logits, ...rows] = step(
      ids,
      positions,
      options.allPositions === true,
      cache.length === 0,
      ...cache.keyTensors,
      ...cache.valueTensors,
    );
    for (let layer = 0; layer < this.config.nLayer; layer++)
      cache.add(rows[2 * layer]!, rows[2 * layer + 1]!);
    return logits!;
  }

  /** The kernels of the program `forward(ids, cache)` runs, with their times; nothing is computed. */
  explainForward(ids: Tensor, cache: KvCache, options: { allPositions?: boolean } = {}): Explanation {
    const time = ids.shape[1]!;
    const step = time === 1 ? this.#decodeStep : this.#prefillStep;
    return step.explain(
      ids,
      positionIds(cache.length, time),
      options.allPositions === true,
      cache.length === 0,
      ...cache.keyTensors,
      ...cache.valueTensors,
    );
  }

  /**
   * One step over a KvCache's arrays: ids [1, T] at positions [T], whether the cache is
   * empty (a first prompt attends to nothing cached), then each layer's keys and values (as
   * KvCache lays them out). Returns the logits and each layer's new keys and values
   * [1, T, kvDim]. The decoding step keeps one trace; prompts of many lengths keep a few.
   */
  readonly #step = (
    ids: Tensor,
    positions: Tensor,
    allPositions: boolean,
    empty: boolean,
    ...cached: Tensor[]
  ): Tensor[] => {
    const [batch, time] = ids.shape as [number, number];
    const { embd, nLayer } = this.config;
    const rows: Tensor[] = [];
    let x = this.#embed(ids, positions);
    this.#blocks.forEach((block, i) => {
      x = this.#block(block, x, positions, (q, k, v) => {
        rows.push(k, v);
        const keysValues = empty ? undefined : { keys: cached[i]!, values: cached[nLayer + i]! };
        return this.#cachedAttention(keysValues, positions, q, k, v);
      });
    });
    if (!allPositions && time > 1) x = x.slice([0, time - 1, 0], [batch, time, embd]);
    return [this.#linear(this.#norm(this.#outputNorm, x), this.#output), ...rows];
  };
  readonly #decodeStep = compile(this.#step, { name: "LlamaModel decoding step", maxTraces: 4 });
  readonly #prefillStep = compile(this.#step, {
    name: "LlamaModel prompt step",
    maxTraces: 4,
    retraceWarning: false,
  });

  /** The shape of the keys and values a `BatchKvCache` holds per sequence. */
  get kvShape(): { layers: number; kvHeads: number; headDim: number } {
    return { layers: this.config.nLayer, kvHeads: this.config.nHeadKv, headDim: this.config.headDim };
  }

  /**
   * Final hidden states [M, T, embd] (after the output norm) for ids [M, T] (row-major) fed
   * at the step's positions: many sequences in one pass (continuous batching).
   */
  batchHidden(ids: Int32Array, step: BatchStep): Tensor {
    return this.#batchHead(this.#batchLayers(ids, step), undefined, false);
  }

  /** Next-token logits [M, vocab] at position `last[m]` of each row (see `batchHidden`). */
  batchLogits(ids: Int32Array, step: BatchStep, last: ArrayLike<number>): Tensor {
    const [m, t] = [step.rows, step.time];
    const x = this.#batchLayers(ids, step);
    const rows = t > 1 ? Int32Array.from({ length: m }, (_, i) => i * t + last[i]!) : undefined;
    return this.#batchHead(x, rows && tensor(rows, [m], { dtype: "int32" }), true);
  }

  /**
   * The hidden states after the last layer of a batched pass. Each layer is one run of a
   * compiled layer (the block's weights are an argument), so a new pass shape traces and
   * compiles one layer, and every later pass builds no graph.
   */
  #batchLayers(ids: Int32Array, step: BatchStep): Tensor {
    const { vocabSize } = this.config;
    for (const id of ids) {
      if (id < 0 || id >= vocabSize)
        throw new Error(`token ${id} is outside the vocabulary [0, ${vocabSize})`);
    }
    let x = this.#batchEmbed(tensor(ids, [step.rows, step.time], { dtype: "int32" }), step.positions);
    this.#blocks.forEach((block, i) => {
      const [y, keys, values] = this.#batchLayer(block, x, step.positions, step.cached(i));
      step.record(i, keys!, values!);
      x = y!;
    });
    return x;
  }

  readonly #batchEmbed = compile((ids: Tensor, positions: Tensor) => this.#embed(ids, positions), {
    name: "LlamaModel batched embedding",
    maxTraces: 16,
    retraceWarning: false,
  });

  /** One block over a pass [M, T, embd]: the new hidden states, keys and values [M, T, kvHeads, D]. */
  readonly #batchLayer = compile(
    (block: Block, x: Tensor, positions: Tensor, cached: CachedKeys | undefined): Tensor[] => {
      const { nHead, nHeadKv, headDim } = this.config;
      const [m, t] = x.shape as [number, number, number];
      const written: Tensor[] = [];
      const y = this.#block(block, x, positions, (q, k, v) => {
        const keys = k.reshape([m, t, nHeadKv, headDim]);
        const values = v.reshape([m, t, nHeadKv, headDim]);
        written.push(keys, values);
        return batchAttention(q.reshape([m, t, nHead, headDim]), keys, values, cached).reshape([
          m,
          t,
          nHead * headDim,
        ]);
      });
      return [y, ...written];
    },
    { name: "LlamaModel batched layer", maxTraces: 64 },
  );

  /** The output norm over a pass, and the logits of rows `rows` of it (all when undefined). */
  readonly #batchHead = compile(
    (x: Tensor, rows: Tensor | undefined, logits: boolean): Tensor => {
      const h = this.#norm(this.#outputNorm, x);
      if (!logits) return h;
      const [m, t, embd] = x.shape as [number, number, number];
      const flat = h.reshape([m * t, embd]);
      return this.#linear(rows ? flat.gather(rows, 0) : flat, this.#output);
    },
    { name: "LlamaModel batched head", maxTraces: 16, retraceWarning: false },
  );

  /** Token embeddings (plus learned positions) for ids [B, T] at positions [T] or [B, T]. */
  #embed(ids: Tensor, positions: Tensor): Tensor {
    const [batch, time] = ids.shape as [number, number];
    const { embd } = this.config;
    const flat = ids.reshape([batch * time]);
    const x = (
      this.#embedding ? embeddingRows(this.#embedding, flat, false) : embeddingRows(this.#output, flat, true)
    ).reshape([batch, time, embd]);
    if (!this.#positionEmbedding) return x;
    const rows = positions.rank === 2 ? batch : 1;
    return x.add(
      this.#positionEmbedding.gather(positions.reshape([rows * time]), 0).reshape([rows, time, embd]),
    );
  }

  #norm(norm: Norm, x: Tensor): Tensor {
    const eps = this.config.normEps;
    return norm.bias ? layerNorm(x, norm.weight, norm.bias, eps) : rmsNorm(x, norm.weight, eps);
  }

  /** RoPE on projections [B, T, heads·headDim]; gpt2 has learned positions instead. */
  #rotate(x: Tensor, heads: number, positions: Tensor): Tensor {
    if (this.#positionEmbedding) return x;
    const [batch, time, width] = x.shape as [number, number, number];
    this.#rope ??= ropeTables(this.config, this.config.contextLength);
    const shaped = x.reshape([batch, time, heads, this.config.headDim]);
    return applyRope(shaped, positions, this.#rope, this.config).reshape([batch, time, width]);
  }

  #block(block: Block, input: Tensor, positions: Tensor, attend: Attention): Tensor {
    const { nHead, nHeadKv, headDim } = this.config;
    const [batch, time] = input.shape as [number, number, number];
    const qDim = nHead * headDim;
    const kvDim = nHeadKv * headDim;
    const qkv = this.#linear(this.#norm(block.attnNorm, input), block.qkv);
    const columns = (from: number, to: number) => qkv.slice([0, 0, from], [batch, time, to]);
    const q = this.#rotate(columns(0, qDim), nHead, positions);
    const k = this.#rotate(columns(qDim, qDim + kvDim), nHeadKv, positions);
    const v = columns(qDim + kvDim, qDim + 2 * kvDim);
    const x = input.add(this.#linear(attend(q, k, v), block.out));
    const gateUp = this.#linear(this.#norm(block.ffnNorm, x), block.gateUp);
    const { ffn } = this.config;
    const hidden =
      this.config.architecture === "gpt2"
        ? gateUp.gelu("tanh")
        : gateUp
            .slice([0, 0, 0], [batch, time, ffn])
            .silu()
            .mul(gateUp.slice([0, 0, ffn], [batch, time, 2 * ffn]));
    return x.add(this.#linear(hidden, block.down));
  }

  #linear(x: Tensor, p: Projection): Tensor {
    const y = p.type
      ? quantizedMatmul(x, p.weight, p.type, { roundActivations: this.#roundActivations })
      : x.matmul(p.weight);
    return p.bias ? y.add(p.bias) : y;
  }

  /**
   * Attention over one sequence's cached keys [1, kvHeads, D, capacity] and values
   * [1, kvHeads, capacity, D] (positions before this step's first), if any, and this step's own.
   */
  #cachedAttention(
    cached: { keys: Tensor; values: Tensor } | undefined,
    positions: Tensor,
    q: Tensor,
    k: Tensor,
    v: Tensor,
  ): Tensor {
    const { nHead, nHeadKv, headDim } = this.config;
    const [batch, time] = q.shape as [number, number, number];
    const heads = (rows: Tensor) => rows.reshape([batch, time, nHeadKv, headDim]).permute([0, 2, 1, 3]);
    // Query heads that share a key/value head attend together: [B, kvHeads, group·T, D].
    const queries = q
      .reshape([batch, time, nHead, headDim])
      .permute([0, 2, 1, 3])
      .reshape([batch, nHeadKv, (nHead / nHeadKv) * time, headDim]);
    const capacity = cached?.keys.shape[3] ?? 0;
    const valid = () =>
      arange(capacity, undefined, 1, { dtype: "int32" })
        .lt(positions.slice([0], [1]))
        .reshape([1, 1, 1, capacity]);
    return attendCachedAndOwn(
      queries,
      heads(k).transpose(),
      heads(v),
      cached && { keys: cached.keys, values: cached.values, valid: valid() },
    )
      .reshape([batch, nHead, time, headDim])
      .permute([0, 2, 1, 3])
      .reshape([batch, time, nHead * headDim]);
  }
}

/**
 * Rows `ids` [N] of an embedding, [N, embd]: from packed rows [vocab, rowBytes], float32
 * [vocab, embd], or a float32 head stored transposed [embd, vocab] (tied weights).
 */
function embeddingRows(
  table: { weight: Tensor; type?: QuantType },
  ids: Tensor,
  transposed: boolean,
): Tensor {
  if (table.type) return dequantizeRows(table.weight.gather(ids, 0), table.type);
  return transposed ? table.weight.gather(ids, 1).transpose() : table.weight.gather(ids, 0);
}

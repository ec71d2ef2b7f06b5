import { type BatchStep, batchAttention, type CachedKeys } from "../../nn/batch-kv-cache.js";
import type { Embedding } from "../../nn/embedding.js";
import type { LinearLayer } from "../../nn/linear-layer.js";
import { QuantizedEmbedding } from "../../nn/quantized-embedding.js";
import { QuantizedLinear } from "../../nn/quantized-linear.js";
import type { QuantType } from "../../quant/index.js";
import { compile } from "../../tensor/compile.js";
import { tensor, zeros } from "../../tensor/creation.js";
import { layerNorm } from "../../tensor/functions.js";
import { dequantizeRows, quantizedMatmul } from "../../tensor/quantized.js";
import { Tensor } from "../../tensor/tensor.js";
import { type GptConfig, gptHeadDim } from "./config.js";
import type { Gpt } from "./gpt.js";

/** A weight [out, in] as the product reads it: float32 transposed to [in, out], or packed rows. */
type Weight = { weightT: Tensor } | { packed: Tensor; type: QuantType };

interface Affine {
  weight: Weight;
  bias: Tensor | undefined;
}

/** A table [rows, embd]: float32 (gathered directly) or packed rows (gathered, then decoded). */
type Table = { values: Tensor } | { packed: Tensor; type: QuantType };

interface Norm {
  weight: Tensor;
  bias: Tensor | undefined;
}

interface Block {
  ln1: Norm;
  qkv: Affine;
  proj: Affine;
  ln2: Norm;
  fc: Affine;
  out: Affine;
}

/**
 * A trained GPT set up for serving: many sequences at different positions in one forward
 * pass (continuous batching), their keys and values in a `BatchKvCache`. The projection
 * weights are held transposed ([in, out], contiguous) — the layout a matrix product with
 * few rows streams without first copying the weight — so this copy of the weights replaces
 * the model's, which the caller may drop. Quantized weights stay packed and go through
 * `quantizedMatmul`. Eval mode only: no dropout, no gradients.
 */
export class GptBatchDecoder {
  readonly config: GptConfig;
  readonly #wte: Table;
  readonly #wpe: Table;
  readonly #headWeight: Weight;
  readonly #blocks: Block[];
  readonly #lnF: Norm;

  constructor(model: Gpt) {
    this.config = model.config;
    const transposed: Tensor[] = [];
    const weight = (w: Tensor, type: QuantType | undefined): Weight => {
      if (type !== undefined) return { packed: w, type };
      const weightT = w.transpose();
      transposed.push(weightT);
      return { weightT };
    };
    const affine = (linear: LinearLayer): Affine => ({
      weight: weight(linear.weight, linear instanceof QuantizedLinear ? linear.type : undefined),
      bias: linear.bias,
    });
    const table = (e: Embedding | QuantizedEmbedding): Table =>
      e instanceof QuantizedEmbedding ? { packed: e.weight, type: e.type } : { values: e.weight };
    const norm = (ln: { weight: Tensor; bias: Tensor | undefined }): Norm => ({
      weight: ln.weight,
      bias: ln.bias,
    });
    this.#wte = table(model.wte);
    this.#wpe = table(model.wpe);
    this.#headWeight = weight(
      model.wte.weight,
      model.wte instanceof QuantizedEmbedding ? model.wte.type : undefined,
    );
    this.#blocks = model.blocks.items.map((b) => ({
      ln1: norm(b.ln1),
      qkv: affine(b.attn.qkv),
      proj: affine(b.attn.proj),
      ln2: norm(b.ln2),
      fc: affine(b.mlp.fc),
      out: affine(b.mlp.proj),
    }));
    this.#lnF = norm(model.lnF);
    // Written out once, as program outputs (contiguous).
    Tensor.realize(...transposed);
  }

  get vocabSize(): number {
    return this.config.vocabSize;
  }

  /** The most positions a sequence can have (the learned positions). */
  get contextLength(): number {
    return this.config.blockSize;
  }

  /** The shape of the keys and values per sequence that a BatchKvCache must hold. */
  get kvShape(): { layers: number; kvHeads: number; headDim: number } {
    const { nLayer, nHead } = this.config;
    return { layers: nLayer, kvHeads: nHead, headDim: gptHeadDim(this.config) };
  }

  /**
   * Final hidden states [M, T, embd] (after the last LayerNorm) for ids [M, T] (row-major in
   * `ids`) fed at the step's positions; every layer attends through the step.
   */
  hidden(ids: Int32Array, step: BatchStep): Tensor {
    return this.#head(this.#layers(ids, step), undefined, false);
  }

  /** Next-token logits [M, vocab] at position `last[m]` of each row (see `hidden`). */
  logits(ids: Int32Array, step: BatchStep, last: ArrayLike<number>): Tensor {
    const m = step.rows;
    const t = step.time;
    const x = this.#layers(ids, step);
    const rows = t > 1 ? Int32Array.from({ length: m }, (_, i) => i * t + last[i]!) : undefined;
    return this.#head(x, rows && tensor(rows, [m], { dtype: "int32" }), true);
  }

  /**
   * The hidden states after the last block. Each block is one run of a compiled layer (its
   * weights are an argument), so a new pass shape (rows, tokens, cache window) traces and
   * compiles one layer, and every later pass builds no graph.
   */
  #layers(ids: Int32Array, step: BatchStep): Tensor {
    const { vocabSize } = this.config;
    const m = step.rows;
    const t = step.time;
    if (ids.length !== m * t) throw new Error(`GptBatchDecoder: ${ids.length} ids for ${m}×${t} tokens`);
    for (const id of ids) {
      if (id < 0 || id >= vocabSize)
        throw new Error(`token ${id} is outside the vocabulary [0, ${vocabSize})`);
    }
    let x = this.#embed(tensor(ids, [m * t], { dtype: "int32" }), step.positions);
    this.#blocks.forEach((block, i) => {
      const [y, keys, values] = this.#layer(block, x, step.cached(i));
      step.record(i, keys!, values!);
      x = y!;
    });
    return x;
  }

  readonly #embed = compile(
    (ids: Tensor, positions: Tensor) => {
      const [m, t] = positions.shape as [number, number];
      return gather(this.#wte, ids)
        .add(gather(this.#wpe, positions.reshape([m * t])))
        .reshape([m, t, this.config.nEmbd]);
    },
    { name: "GptBatchDecoder embedding", maxTraces: 16, retraceWarning: false },
  );

  /** One block over a pass [M, T, embd]: the new hidden states, keys and values [M, T, heads, D]. */
  readonly #layer = compile(
    (block: Block, x: Tensor, cached: CachedKeys | undefined): Tensor[] => {
      const { nHead } = this.config;
      const [m, t] = x.shape as [number, number, number];
      const headDim = gptHeadDim(this.config);
      const inner = nHead * headDim;
      const qkv = affine(norm(x, block.ln1), block.qkv);
      const part = (i: number) =>
        qkv.slice([0, 0, i * inner], [m, t, (i + 1) * inner]).reshape([m, t, nHead, headDim]);
      const [keys, values] = [part(1), part(2)];
      const attended = batchAttention(part(0), keys, values, cached).reshape([m, t, inner]);
      const y = x.add(affine(attended, block.proj));
      return [y.add(affine(affine(norm(y, block.ln2), block.fc).gelu(), block.out)), keys, values];
    },
    { name: "GptBatchDecoder layer", maxTraces: 64 },
  );

  /** The last LayerNorm over a pass, and the logits of rows `rows` of it (all when undefined). */
  readonly #head = compile(
    (x: Tensor, rows: Tensor | undefined, logits: boolean): Tensor => {
      const h = norm(x, this.#lnF);
      if (!logits) return h;
      const [m, t, embd] = x.shape as [number, number, number];
      const flat = h.reshape([m * t, embd]);
      return product(rows ? flat.gather(rows, 0) : flat, this.#headWeight);
    },
    { name: "GptBatchDecoder head", maxTraces: 16, retraceWarning: false },
  );
}

function norm(x: Tensor, n: Norm): Tensor {
  return layerNorm(x, n.weight, n.bias ?? zeros(n.weight.shape));
}

function product(x: Tensor, w: Weight): Tensor {
  return "weightT" in w ? x.matmul(w.weightT) : quantizedMatmul(x, w.packed, w.type);
}

function affine(x: Tensor, a: Affine): Tensor {
  const y = product(x, a.weight);
  return a.bias ? y.add(a.bias) : y;
}

function gather(table: Table, ids: Tensor): Tensor {
  return "values" in table
    ? table.values.gather(ids, 0)
    : dequantizeRows(table.packed.gather(ids, 0), table.type);
}

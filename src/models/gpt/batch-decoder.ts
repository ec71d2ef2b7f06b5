import type { BatchStep } from "../../nn/batch-kv-cache.js";
import type { Embedding } from "../../nn/embedding.js";
import type { LinearLayer } from "../../nn/linear-layer.js";
import { QuantizedEmbedding } from "../../nn/quantized-embedding.js";
import { QuantizedLinear } from "../../nn/quantized-linear.js";
import type { QuantType } from "../../quant/index.js";
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
  readonly #head: Weight;
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
    this.#head = weight(
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
    const { nEmbd, nHead, vocabSize } = this.config;
    const m = step.rows;
    const t = step.time;
    if (ids.length !== m * t) throw new Error(`GptBatchDecoder: ${ids.length} ids for ${m}×${t} tokens`);
    for (const id of ids) {
      if (id < 0 || id >= vocabSize)
        throw new Error(`token ${id} is outside the vocabulary [0, ${vocabSize})`);
    }
    const headDim = gptHeadDim(this.config);
    const inner = nHead * headDim;
    const flatIds = tensor(ids, [m * t], { dtype: "int32" });
    let x = gather(this.#wte, flatIds)
      .add(gather(this.#wpe, step.positions.reshape([m * t])))
      .reshape([m, t, nEmbd]);
    this.#blocks.forEach((block, layer) => {
      const qkv = affine(norm(x, block.ln1), block.qkv);
      const part = (i: number) =>
        qkv.slice([0, 0, i * inner], [m, t, (i + 1) * inner]).reshape([m, t, nHead, headDim]);
      const attended = step.attend(layer, part(0), part(1), part(2)).reshape([m, t, inner]);
      x = x.add(affine(attended, block.proj));
      x = x.add(affine(affine(norm(x, block.ln2), block.fc).gelu(), block.out));
      // Layer by layer: every layer has the same graph, so a new pass shape (rows, tokens,
      // cache window) compiles one layer's program, not the whole model's.
      Tensor.realize(x, ...step.layerOutputs(layer));
    });
    return norm(x, this.#lnF);
  }

  /** Next-token logits [M, vocab] at position `last[m]` of each row (see `hidden`). */
  logits(ids: Int32Array, step: BatchStep, last: ArrayLike<number>): Tensor {
    const { nEmbd } = this.config;
    const m = step.rows;
    const t = step.time;
    let h = this.hidden(ids, step);
    if (t === 1) {
      h = h.reshape([m, nEmbd]);
    } else {
      const rows = Int32Array.from({ length: m }, (_, i) => i * t + last[i]!);
      h = h.reshape([m * t, nEmbd]).gather(tensor(rows, [m], { dtype: "int32" }), 0);
    }
    return product(h, this.#head);
  }
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

// A GPT trained by infiniset as a GGUF file of architecture "gpt2", which llama.cpp (and
// infiniset's GGUF loader) run: the same tensors under ggml's names, float32 (a quantized
// GPT's packed weights as they are, in their ggml type), with the tokenizer it was trained
// with. Without biases (bias: false) the file gets zero biases, since ggml's gpt2 graph
// expects them.

import { GGML_TYPE, ggmlTypeByName } from "../../formats/gguf/ggml-types.js";
import { type GgufValue, gguf } from "../../formats/gguf/gguf-values.js";
import { FILE_TYPE } from "../../formats/gguf/quantize-gguf.js";
import type { GgufContents, GgufTensorToWrite } from "../../formats/gguf/write-gguf.js";
import { parseQuantType, rowColumns } from "../../quant/index.js";
import type { BpeTokenizerJson } from "../../text/bpe-tokenizer.js";
import type { CharTokenizerJson } from "../../text/char-tokenizer.js";
import { vocabularyOfTrainedTokenizer } from "../../text/gguf/from-trained-tokenizer.js";
import { vocabularyMetadata } from "../../text/gguf/vocabulary.js";
import { gptHeadDim, gptMlpHidden } from "./config.js";
import type { Gpt } from "./gpt.js";

function float32Bytes(values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

export function gptGgufContents(
  model: Gpt,
  tokenizer: CharTokenizerJson | BpeTokenizerJson,
  name = "infiniset GPT",
): GgufContents {
  const { vocabSize, blockSize, nLayer, nHead, nEmbd } = model.config;
  const vocab = vocabularyOfTrainedTokenizer(tokenizer);
  if (vocab.tokens.length !== vocabSize) {
    throw new Error(`the tokenizer has ${vocab.tokens.length} tokens but the model ${vocabSize}`);
  }
  if (nHead * gptHeadDim(model.config) !== nEmbd) {
    throw new Error(
      `gpt2 GGUF files have nEmbd / nHead-wide heads; this GPT has ${nHead} heads of ${gptHeadDim(model.config)} (some were removed), which llama.cpp's gpt2 graph cannot run`,
    );
  }
  const params = model.stateDict();
  const packedTypes = new Map<string, string>();
  for (const [name, module] of model.namedModules()) {
    if ("type" in module && typeof module.type === "string") packedTypes.set(`${name}.weight`, module.type);
  }
  const tensors: GgufTensorToWrite[] = [];
  const add = (ggmlName: string, param: string | number) => {
    if (typeof param === "number") {
      tensors.push({
        name: ggmlName,
        type: GGML_TYPE.F32,
        shape: [param],
        data: float32Bytes(new Float32Array(param)),
      });
      return;
    }
    const value = params.get(param)!;
    const packed = packedTypes.get(param);
    if (packed === undefined) {
      const data = float32Bytes(Float32Array.from(value.dataSync()));
      tensors.push({ name: ggmlName, type: GGML_TYPE.F32, shape: value.shape, data });
      return;
    }
    // Packed rows [rows, rowBytes] are the file's bytes already; the shape is the logical one.
    const columns = rowColumns(parseQuantType(packed), value.shape[1]!);
    const data = value.dataSync() as Uint8Array;
    tensors.push({ name: ggmlName, type: ggmlTypeByName(packed)!, shape: [value.shape[0]!, columns], data });
  };
  // A bias the model does not have is written as zeros.
  const bias = (ggmlName: string, param: string, size: number) =>
    add(ggmlName, params.has(param) ? param : size);
  add("token_embd.weight", "wte.weight");
  add("position_embd.weight", "wpe.weight");
  for (let i = 0; i < nLayer; i++) {
    const p = `blocks.${i}`;
    const b = `blk.${i}`;
    add(`${b}.attn_norm.weight`, `${p}.ln1.weight`);
    bias(`${b}.attn_norm.bias`, `${p}.ln1.bias`, nEmbd);
    add(`${b}.attn_qkv.weight`, `${p}.attn.qkv.weight`);
    bias(`${b}.attn_qkv.bias`, `${p}.attn.qkv.bias`, 3 * nEmbd);
    add(`${b}.attn_output.weight`, `${p}.attn.proj.weight`);
    bias(`${b}.attn_output.bias`, `${p}.attn.proj.bias`, nEmbd);
    add(`${b}.ffn_norm.weight`, `${p}.ln2.weight`);
    bias(`${b}.ffn_norm.bias`, `${p}.ln2.bias`, nEmbd);
    add(`${b}.ffn_up.weight`, `${p}.mlp.fc.weight`);
    bias(`${b}.ffn_up.bias`, `${p}.mlp.fc.bias`, gptMlpHidden(model.config));
    add(`${b}.ffn_down.weight`, `${p}.mlp.proj.weight`);
    bias(`${b}.ffn_down.bias`, `${p}.mlp.proj.bias`, nEmbd);
  }
  add("output_norm.weight", "lnF.weight");
  bias("output_norm.bias", "lnF.bias", nEmbd);
  // The head shares the token embedding; written out, since not every reader duplicates it.
  add("output.weight", "wte.weight");
  const metadata: [string, GgufValue][] = [
    ["general.architecture", gguf.string("gpt2")],
    ["general.name", gguf.string(name)],
    ["general.file_type", gguf.uint32(FILE_TYPE[model.config.weightTypes?.linear ?? "F32"])],
    ["gpt2.context_length", gguf.uint32(blockSize)],
    ["gpt2.embedding_length", gguf.uint32(nEmbd)],
    ["gpt2.block_count", gguf.uint32(nLayer)],
    ["gpt2.feed_forward_length", gguf.uint32(gptMlpHidden(model.config))],
    ["gpt2.attention.head_count", gguf.uint32(nHead)],
    ["gpt2.attention.layer_norm_epsilon", gguf.float32(1e-5)],
    ...vocabularyMetadata(vocab),
  ];
  return { metadata, tensors };
}

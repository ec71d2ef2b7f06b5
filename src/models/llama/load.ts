// Opening a model file: the weights, the tokenizer and the chat template, all from the
// GGUF file. The file is read once and closed; memory is about the file's size for float32
// files (other types are decoded to float32 until quantized kernels take them as they are).
import { GgufFile } from "../../formats/gguf/gguf-file.js";
import { GgufTokenizer } from "../../text/gguf/tokenizer.js";
import { LlamaModel, type LlamaModelOptions } from "./llama.js";

export interface LoadedModel {
  path: string;
  model: LlamaModel;
  tokenizer: GgufTokenizer;
  /** `general.name`, else the file name. */
  name: string;
}

export function loadGgufModel(path: string, options: LlamaModelOptions = {}): LoadedModel {
  const file = GgufFile.open(path);
  try {
    const tokenizer = GgufTokenizer.fromGguf(file);
    const model = new LlamaModel(file, options);
    if (tokenizer.vocabSize !== model.config.vocabSize) {
      throw new Error(
        `${path}: the tokenizer has ${tokenizer.vocabSize} tokens but the model's embedding ${model.config.vocabSize}`,
      );
    }
    return { path, model, tokenizer, name: file.string("general.name", path.split("/").pop() ?? path) };
  } finally {
    file.close();
  }
}

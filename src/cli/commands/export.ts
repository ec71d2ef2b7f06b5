import { Command } from "commander";
import { writeGguf } from "../../formats/gguf/write-gguf.js";
import { gptGgufContents } from "../../models/gpt/export-gguf.js";
import { loadGptCheckpoint } from "../../train/gpt-checkpoint.js";

interface ExportFlags {
  checkpoint: string;
  out: string;
}

export function exportCommand(): Command {
  return new Command("export")
    .description(
      "write a trained GPT as a GGUF file (architecture gpt2, float32) that llama.cpp and `infiniset run` load",
    )
    .requiredOption(
      "--checkpoint <dir>",
      "a GPT run directory (its latest checkpoint) or a checkpoint folder",
    )
    .requiredOption("--out <file>", "the .gguf file to write")
    .action((flags: ExportFlags) => {
      const { model, tokenizer, path } = loadGptCheckpoint(flags.checkpoint);
      const json = tokenizer.toJSON();
      if (json.type === "word") throw new Error(`${path}: word tokenizers have no GGUF form`);
      writeGguf(flags.out, gptGgufContents(model, json, `infiniset GPT from ${path}`));
      process.stdout.write(
        `wrote ${flags.out} (gpt2, ${model.config.nLayer} layers, vocabulary ${model.config.vocabSize})\n`,
      );
    });
}

import { writeFileSync } from "node:fs";
import { Command } from "commander";
import { Gpt } from "../../models/gpt/gpt.js";
import { renderAttentionSvg } from "../../plot/attention-svg.js";
import { loadLanguageModelCheckpoint } from "../../train/language-model-checkpoint.js";
import { integerInRange } from "../parse-integer.js";

interface AttentionFlags {
  checkpoint: string;
  prompt: string;
  out: string;
  layer?: number;
  head?: number;
}

export function attentionCommand(): Command {
  return new Command("attention")
    .description("draw where each token of a prompt attends, per layer and head, in a trained GPT (SVG)")
    .requiredOption(
      "--checkpoint <dir>",
      "a GPT run directory (its latest checkpoint) or a checkpoint folder",
    )
    .requiredOption("--prompt <text>", "the text to look at (its last block-size tokens)")
    .requiredOption("--out <file.svg>", "where to write the maps")
    .option("--layer <n>", "only this layer (from 0)", integerInRange(0, 10_000))
    .option("--head <n>", "only this head (from 0)", integerInRange(0, 10_000))
    .action((flags: AttentionFlags) => {
      const loaded = loadLanguageModelCheckpoint(flags.checkpoint);
      const { model, tokenizer } = loaded;
      if (!(model instanceof Gpt)) {
        throw new Error(
          `${flags.checkpoint} holds a ${loaded.config.model.type} model; attention maps need a GPT`,
        );
      }
      const { nLayer, nHead, blockSize } = model.config;
      for (const [name, value, count] of [
        ["layer", flags.layer, nLayer],
        ["head", flags.head, nHead],
      ] as const) {
        if (value !== undefined && value >= count)
          throw new Error(`--${name} ${value}: the model has ${count} ${name}s (0 to ${count - 1})`);
      }
      if (flags.prompt.length === 0) throw new Error("--prompt is empty");
      let ids = [...tokenizer.encode(flags.prompt)];
      if (ids.length > blockSize) {
        process.stderr.write(`the prompt has ${ids.length} tokens; showing its last ${blockSize}\n`);
        ids = ids.slice(-blockSize);
      }
      const maps = model.attention(ids);
      const panels = [];
      for (let layer = 0; layer < nLayer; layer++) {
        if (flags.layer !== undefined && layer !== flags.layer) continue;
        for (let head = 0; head < nHead; head++) {
          if (flags.head !== undefined && head !== flags.head) continue;
          panels.push({ label: `layer ${layer} · head ${head}`, map: maps.map(layer, head) });
        }
      }
      const svg = renderAttentionSvg({
        title: `Attention: ${flags.checkpoint}`,
        tokens: ids.map((id) => tokenizer.decode([id])),
        panels,
        columns: flags.head === undefined ? nHead : 1,
      });
      writeFileSync(flags.out, svg);
      process.stdout.write(
        `wrote ${panels.length} map${panels.length > 1 ? "s" : ""} of ${ids.length} tokens to ${flags.out}\n`,
      );
    });
}

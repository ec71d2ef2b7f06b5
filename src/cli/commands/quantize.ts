import { Command, InvalidArgumentError } from "commander";
import { quantizeGguf, type TensorConversion } from "../../formats/gguf/quantize-gguf.js";
import { parseQuantType, QUANT_TYPES, type QuantType } from "../../quant/index.js";

interface QuantizeFlags {
  type: QuantType;
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

export function quantizeCommand(): Command {
  return new Command("quantize")
    .description(
      "write a GGUF file with its weight matrices in another ggml type (llama.cpp's quantize --pure: one type for every matrix; rows that are not whole blocks fall back as llama.cpp does)",
    )
    .argument("<in>", "the .gguf file to read")
    .argument("<out>", "the .gguf file to write")
    .requiredOption(
      "--type <type>",
      `the type of the weight matrices: ${QUANT_TYPES.map((t) => t.toLowerCase()).join(", ")}`,
      (value: string) => {
        try {
          return parseQuantType(value);
        } catch (error) {
          throw new InvalidArgumentError((error as Error).message);
        }
      },
    )
    .action((input: string, output: string, flags: QuantizeFlags) => {
      const started = performance.now();
      const progress = process.stderr;
      const line = (c: TensorConversion, index: number, count: number) => {
        const change = c.from === c.to ? `${c.from} (kept)` : `${c.from} → ${c.to}`;
        const text = `[${index + 1}/${count}] ${c.name} [${c.shape.join(", ")}] ${change}`;
        // On a terminal one line is redrawn; in a log, each tensor has its line.
        if (progress.isTTY) progress.write(`\r\x1b[K${text}${index + 1 === count ? "\n" : ""}`);
        else progress.write(`${text}\n`);
      };
      const done = quantizeGguf(input, output, { type: flags.type, onTensor: line });
      const bytesIn = done.reduce((n, c) => n + c.bytesIn, 0);
      const bytesOut = done.reduce((n, c) => n + c.bytesOut, 0);
      const fallbacks = new Map<string, number>();
      for (const c of done) {
        if (c.from !== c.to && c.to !== flags.type) fallbacks.set(c.to, (fallbacks.get(c.to) ?? 0) + 1);
      }
      const note = [...fallbacks]
        .map(
          ([type, n]) =>
            `${n} matri${n === 1 ? "x" : "ces"} as ${type} (rows not whole ${flags.type} blocks)`,
        )
        .join(", ");
      process.stdout.write(
        `wrote ${output}: tensor data ${mib(bytesIn)} → ${mib(bytesOut)} in ${((performance.now() - started) / 1000).toFixed(1)} s${note ? `; ${note}` : ""}\n`,
      );
    });
}

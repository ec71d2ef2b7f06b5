import { Command, InvalidArgumentError } from "commander";
import {
  calibrationBlocks,
  modelBytes,
  openCompressionSource,
  writeCompressedGpt,
} from "../../compress/compressed-checkpoint.js";
import { defaultFinetuneLr, finetuneGpt } from "../../compress/finetune.js";
import { QUANTIZE_METHODS, type QuantizeMethod, quantizeGpt } from "../../compress/quantize-gpt.js";
import { quantizeGguf, type TensorConversion } from "../../formats/gguf/quantize-gguf.js";
import { writeGguf } from "../../formats/gguf/write-gguf.js";
import { gptGgufContents } from "../../models/gpt/export-gguf.js";
import { setFakeQuantization } from "../../nn/fake-quantize.js";
import { parseQuantType, QUANT_TYPES, type QuantType } from "../../quant/index.js";
import { progressReporter } from "../../train/progress-reporter.js";
import { parseBits } from "../parse-bits.js";
import { integerInRange } from "../parse-integer.js";
import { numberInRange } from "../parse-number.js";

interface QuantizeFlags {
  type?: QuantType;
  checkpoint?: string;
  bits?: 8 | 4;
  method: QuantizeMethod;
  percentile?: number;
  granularity?: "channel" | "block";
  embeddingBits: 8 | 4;
  calibrationBlocks: number;
  seed: number;
  qatIters: number;
  lr?: number;
  out?: string;
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** A line per step of long work: redrawn on a terminal, one each in a log. */
function progressLine(text: string, last: boolean): void {
  const progress = process.stderr;
  if (progress.isTTY) progress.write(`\r\x1b[K${text}${last ? "\n" : ""}`);
  else progress.write(`${text}\n`);
}

export function quantizeCommand(): Command {
  return new Command("quantize")
    .description(
      "quantize a GPT checkpoint (--checkpoint DIR --bits 8|4 --out DIR|FILE.gguf: calibrated int8/int4 weights that generate, eval and serve run on the quantized kernels), or write a GGUF file with its weight matrices in another ggml type (IN OUT --type: llama.cpp's quantize --pure)",
    )
    .argument("[in]", "the .gguf file to read (without --checkpoint)")
    .argument("[out]", "the .gguf file to write (without --checkpoint)")
    .option(
      "--type <type>",
      `GGUF: the type of the weight matrices: ${QUANT_TYPES.map((t) => t.toLowerCase()).join(", ")}`,
      (value: string) => {
        try {
          return parseQuantType(value);
        } catch (error) {
          throw new InvalidArgumentError((error as Error).message);
        }
      },
    )
    .option("--checkpoint <dir>", "a GPT run directory (its latest checkpoint) or a checkpoint folder")
    .option(
      "--bits <n>",
      "bits of the Linear weights: 8 (int8, Q8_0 blocks) or 4 (int4, Q4_0 blocks)",
      parseBits,
    )
    .option(
      "--method <name>",
      `how scales and codes are chosen: ${QUANTIZE_METHODS.join(", ")} (mse and gptq calibrate on sample text)`,
      (value: string) => {
        if (!QUANTIZE_METHODS.includes(value as QuantizeMethod))
          throw new InvalidArgumentError(`expected one of ${QUANTIZE_METHODS.join(", ")}.`);
        return value as QuantizeMethod;
      },
      "minmax",
    )
    .option(
      "--percentile <p>",
      "percentile: the quantile of |w| taken as a group's extreme",
      numberInRange(0.5, 1),
    )
    .option(
      "--granularity <g>",
      "one scale per output channel or per block of 32 weights (default: channel for 8 bits, block for 4)",
      (value: string) => {
        if (value !== "channel" && value !== "block")
          throw new InvalidArgumentError("expected channel or block.");
        return value;
      },
    )
    .option("--embedding-bits <n>", "bits of the embedding tables (the tied output head)", parseBits, 8)
    .option(
      "--calibration-blocks <n>",
      "training blocks calibration runs the model on (mse, gptq)",
      integerInRange(1, 100_000),
      32,
    )
    .option("--seed <n>", "seed for choosing the calibration blocks", integerInRange(0, 2 ** 32 - 1), 0)
    .option(
      "--qat-iters <n>",
      "first fine-tune this many steps through --bits fake quantization (quantization-aware), then quantize",
      integerInRange(0, 1_000_000_000),
      0,
    )
    .option(
      "--lr <rate>",
      "--qat-iters: fine-tuning's peak learning rate (default: 3 × the run's final one)",
      numberInRange(0, 1),
    )
    .option("--out <path>", "with --checkpoint: a run directory to write, or a .gguf file")
    .action((input: string | undefined, output: string | undefined, flags: QuantizeFlags) => {
      if (flags.checkpoint !== undefined) {
        if (input !== undefined || flags.type !== undefined) {
          throw new Error(
            "quantize --checkpoint takes --bits and --out, not IN OUT or --type (those quantize GGUF files)",
          );
        }
        quantizeCheckpoint(flags);
        return;
      }
      if (input === undefined || output === undefined || flags.type === undefined) {
        throw new Error("give IN.gguf OUT.gguf --type TYPE, or --checkpoint DIR --bits 8|4 --out DIR");
      }
      quantizeGgufFile(input, output, flags.type);
    });
}

function quantizeCheckpoint(flags: QuantizeFlags): void {
  if (flags.bits === undefined) throw new Error("quantize --checkpoint needs --bits 8 or --bits 4");
  if (flags.out === undefined) throw new Error("quantize --checkpoint needs --out DIR (or --out FILE.gguf)");
  const started = performance.now();
  const source = openCompressionSource(flags.checkpoint!);
  const lr = flags.lr ?? defaultFinetuneLr(source);
  if (flags.qatIters > 0) {
    // The weights learn to sit well on the grid the quantizer is about to use.
    setFakeQuantization(source.model, flags.bits);
    finetuneGpt(source.model, source, {
      iterations: flags.qatIters,
      lr,
      callbacks: [progressReporter({ stream: process.stderr })],
    });
    setFakeQuantization(source.model, undefined);
    source.model.eval();
  }
  const calibrated = flags.method === "mse" || flags.method === "gptq";
  const options = {
    bits: flags.bits,
    method: flags.method,
    embeddingBits: flags.embeddingBits,
    ...(flags.percentile === undefined ? {} : { percentile: flags.percentile }),
    ...(flags.granularity === undefined ? {} : { granularity: flags.granularity }),
  };
  const { model, layers } = quantizeGpt(source.model, {
    ...options,
    ...(calibrated ? { calibration: calibrationBlocks(source, flags.calibrationBlocks, flags.seed) } : {}),
    onLayer: (layer, index, count) =>
      progressLine(
        `[${index + 1}/${count}] ${layer.name} [${layer.shape.join(", ")}] → ${layer.type}, relative output error ${layer.relativeError.toExponential(2)}`,
        index + 1 === count,
      ),
  });
  const before = modelBytes(source.model);
  const after = modelBytes(model);
  let wrote: string;
  if (flags.out.endsWith(".gguf")) {
    const json = source.tokenizer.toJSON();
    if (json.type === "word") throw new Error(`${source.path}: word tokenizers have no GGUF form`);
    writeGguf(
      flags.out,
      gptGgufContents(model, json, `infiniset GPT from ${source.path}, ${flags.bits}-bit`),
    );
    wrote = flags.out;
  } else {
    const step = {
      kind: "quantize",
      ...options,
      ...(calibrated ? { calibrationBlocks: flags.calibrationBlocks, seed: flags.seed } : {}),
      ...(flags.qatIters > 0 ? { qatIters: flags.qatIters, lr } : {}),
    };
    wrote = writeCompressedGpt(flags.out, source, model, step, source.iter + flags.qatIters);
  }
  const worst = layers.reduce((a, l) => (l.relativeError > a.relativeError ? l : a));
  process.stdout.write(
    `wrote ${wrote}: ${flags.bits}-bit ${flags.method}, weights ${mib(before)} → ${mib(after)} (${((100 * after) / before).toFixed(1)}%) ` +
      `in ${((performance.now() - started) / 1000).toFixed(1)} s; largest relative output error ${worst.relativeError.toExponential(2)} (${worst.name})\n`,
  );
}

function quantizeGgufFile(input: string, output: string, type: QuantType): void {
  const started = performance.now();
  const line = (c: TensorConversion, index: number, count: number) => {
    const change = c.from === c.to ? `${c.from} (kept)` : `${c.from} → ${c.to}`;
    progressLine(`[${index + 1}/${count}] ${c.name} [${c.shape.join(", ")}] ${change}`, index + 1 === count);
  };
  const done = quantizeGguf(input, output, { type, onTensor: line });
  const bytesIn = done.reduce((n, c) => n + c.bytesIn, 0);
  const bytesOut = done.reduce((n, c) => n + c.bytesOut, 0);
  const fallbacks = new Map<string, number>();
  for (const c of done) {
    if (c.from !== c.to && c.to !== type) fallbacks.set(c.to, (fallbacks.get(c.to) ?? 0) + 1);
  }
  const note = [...fallbacks]
    .map(([to, n]) => `${n} matri${n === 1 ? "x" : "ces"} as ${to} (rows not whole ${type} blocks)`)
    .join(", ");
  process.stdout.write(
    `wrote ${output}: tensor data ${mib(bytesIn)} → ${mib(bytesOut)} in ${((performance.now() - started) / 1000).toFixed(1)} s${note ? `; ${note}` : ""}\n`,
  );
}

// `infiniset draw --text seven --out seven.png`: digits drawn from their names by a trained
// conditional VAE (infiniset train cvae), written as a PNG grid; with --judge, a trained MNIST
// CNN says what it sees in each drawing.
import { Command, Option } from "commander";
import { writePng } from "../../formats/png.js";
import { imageAt } from "../../image/images.js";
import { imageGrid, imageToRgba } from "../../image/pixels.js";
import { parseConditionText } from "../../models/cvae/condition-text.js";
import { drawImages, judgeImages, loadDigitGenerator } from "../../vision/train-digit-generator.js";
import { loadImageClassifier } from "../../vision/train-image-classifier.js";
import { integerInRange } from "../parse-integer.js";
import { numberInRange } from "../parse-number.js";

interface DrawFlags {
  text: string;
  out: string;
  count: number;
  seed: number;
  temperature: number;
  checkpoint: string;
  judge?: string;
}

/** Drawings per row of the grid: a word's drawings fill whole rows when they can. */
function gridColumns(count: number): number {
  if (count <= 16) return count;
  return count % 10 === 0 ? 10 : 16;
}

export function drawCommand(): Command {
  return new Command("draw")
    .description("draw digits from their names with a trained conditional VAE (infiniset train cvae)")
    .requiredOption("--text <words>", 'the digits to draw, by name or figure: "seven", "7", "three one four"')
    .requiredOption(
      "--out <file>",
      "the PNG file to write: the drawings in a grid, each word's on its own rows",
    )
    .addOption(
      new Option("--count <n>", "drawings of each word").argParser(integerInRange(1, 10_000)).default(16),
    )
    .addOption(
      new Option("--seed <n>", "seed of the latent draws")
        .argParser(integerInRange(0, 2 ** 32 - 1))
        .default(0),
    )
    .addOption(
      new Option("--temperature <t>", "scale of the latent draws (below 1: more typical digits)")
        .argParser(numberInRange(0, 10))
        .default(1),
    )
    .option("--checkpoint <dir>", "the generator's run directory", "runs/cvae")
    .option("--judge <dir>", "a trained MNIST CNN (infiniset train cnn): print what it sees in each drawing")
    .action((flags: DrawFlags) => {
      const model = loadDigitGenerator(flags.checkpoint);
      const words = parseConditionText(flags.text, model.config.words);
      const ids = Int32Array.from(
        { length: words.length * flags.count },
        (_, i) => words[Math.floor(i / flags.count)]!,
      );
      const images = drawImages(model, ids, flags.seed, flags.temperature);
      const tiles = Array.from(ids, (_, i) => imageToRgba(imageAt(images, i), images));
      const grid = imageGrid(tiles, { columns: gridColumns(flags.count), scale: 2, gap: 2 });
      writePng(flags.out, grid);
      const named = words.map((w) => `"${model.config.words[w]}"`).join(", ");
      process.stdout.write(
        `wrote ${flags.out} (${grid.width}×${grid.height}): ${flags.count} drawing${flags.count === 1 ? "" : "s"} of ${named}\n`,
      );
      if (flags.judge === undefined) return;
      const judge = loadImageClassifier(flags.judge);
      const judged = judgeImages(model, judge.model, images, ids, judge.classes);
      words.forEach((w, k) => {
        const part = { start: k * flags.count, end: (k + 1) * flags.count };
        const seen = Array.from(judged.predicted.subarray(part.start, part.end), (p) => judge.classes[p]);
        const hits = judged.hits.subarray(part.start, part.end).reduce((a, b) => a + b, 0);
        process.stdout.write(
          `judge: ${hits}/${flags.count} drawings of "${model.config.words[w]}" classified as ${w} (sees ${seen.join(" ")})\n`,
        );
      });
    });
}

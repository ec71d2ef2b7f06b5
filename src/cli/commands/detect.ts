// `infiniset detect IMAGE.png…`: a trained detector (infiniset train detector) on the user's
// own PNG files; prints what it finds and, with --out, draws the boxes.
import { basename, extname, join } from "node:path";
import { Command, Option } from "commander";
import { loadImageFiles } from "../../data/image-folder.js";
import { readPng, writePng } from "../../formats/png.js";
import { canvas, drawText, paste, type Rgb, strokeRect } from "../../image/pixels.js";
import { loadDetector } from "../../vision/train-detector.js";
import { imagesTensor } from "../../vision/train-image-classifier.js";
import { numberInRange } from "../parse-number.js";

const BOX_COLOURS: readonly Rgb[] = [
  [255, 255, 255],
  [255, 0, 255],
  [0, 255, 255],
];
/** How much larger the picture with boxes is than the image, so labels fit. */
const SCALE = 8;

export function detectCommand(): Command {
  return new Command("detect")
    .description("find shapes in PNG images with a trained detector (infiniset train detector)")
    .argument("<images...>", "PNG files of the size the model was trained on (40×40 for shapes)")
    .option("--checkpoint <dir>", "the detector's run directory", "runs/detector")
    .addOption(
      new Option("--threshold <p>", "the least objectness a detection needs")
        .argParser(numberInRange(0, 1))
        .default(0.5),
    )
    .option("--out <dir>", "writes <image>-boxes.png there: the image enlarged 8× with the boxes drawn")
    .action((files: string[], flags: { checkpoint: string; threshold: number; out?: string }) => {
      const model = loadDetector(flags.checkpoint);
      const { channels, height, width } = model.config.encoder;
      const images = loadImageFiles(files, channels as 1 | 3, [height, width]);
      const found = model.detect(imagesTensor(images), flags.threshold);
      const classes = model.config.classes;
      files.forEach((file, i) => {
        process.stdout.write(`${file}: ${found[i]!.length} found\n`);
        for (const { box, label, score } of found[i]!) {
          const at = box.map((v) => v.toFixed(1)).join(", ");
          process.stdout.write(`  ${classes[label]} ${score.toFixed(2)} at [${at}]\n`);
        }
        if (!flags.out) return;
        const picture = canvas(width * SCALE, height * SCALE);
        paste(picture, readPng(file), 0, 0, SCALE);
        for (const { box, label, score } of found[i]!) {
          const colour = BOX_COLOURS[label % BOX_COLOURS.length]!;
          const [x0, y0] = [Math.round(box[0] * SCALE), Math.round(box[1] * SCALE)];
          strokeRect(picture, [x0, y0, box[2] * SCALE, box[3] * SCALE], colour, 2);
          drawText(picture, `${label} ${Math.round(100 * score)}%`, x0 + 3, y0 + 3, colour, 2);
        }
        const target = join(flags.out, `${basename(file, extname(file))}-boxes.png`);
        writePng(target, picture);
        const legend = classes.map((c, k) => `${k} ${c}`).join(", ");
        process.stdout.write(`  wrote ${target} (labels: ${legend})\n`);
      });
    });
}

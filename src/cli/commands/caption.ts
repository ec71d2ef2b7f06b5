// `infiniset caption IMAGE.png…`: a trained captioner (infiniset train captioner) on the
// user's own PNG files.
import { Command } from "commander";
import { loadImageFiles } from "../../data/image-folder.js";
import { imagesTensor } from "../../vision/train-image-classifier.js";
import { loadCaptioner } from "../../vision/train-multimodal.js";

export function captionCommand(): Command {
  return new Command("caption")
    .description("caption PNG images with a trained captioner (infiniset train captioner)")
    .argument("<images...>", "PNG files of the size the model was trained on (40×40 for shapes)")
    .option("--checkpoint <dir>", "the captioner's run directory", "runs/captioner")
    .action((files: string[], flags: { checkpoint: string }) => {
      const model = loadCaptioner(flags.checkpoint);
      const { channels, height, width } = model.config.encoder;
      const captions = model.caption(imagesTensor(loadImageFiles(files, channels as 1 | 3, [height, width])));
      files.forEach((file, i) => {
        process.stdout.write(files.length > 1 ? `${file}: ${captions[i]}\n` : `${captions[i]}\n`);
      });
    });
}

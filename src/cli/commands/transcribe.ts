import { Argument, Command } from "commander";
import { loadSpeechRecognizer } from "../../train/train-speech.js";

export function transcribeCommand(): Command {
  return new Command("transcribe")
    .description("the digits spoken in WAV files, with a model from `infiniset train speech`")
    .addArgument(new Argument("<file.wav...>", "WAV files (PCM or float, any rate; stereo is mixed down)"))
    .requiredOption(
      "--checkpoint <dir>",
      "a speech run directory (its latest checkpoint) or a checkpoint folder",
    )
    .option("--json", "one JSON object per file: file, digits")
    .action((files: string[], flags: { checkpoint: string; json?: boolean }) => {
      const recognizer = loadSpeechRecognizer(flags.checkpoint);
      for (const file of files) {
        const digits = recognizer.transcribe(file);
        process.stdout.write(
          flags.json
            ? `${JSON.stringify({ file, digits: digits.join("") })}\n`
            : `${file}\t${digits.join(" ")}\n`,
        );
      }
    });
}

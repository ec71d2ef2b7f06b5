import { Command } from "commander";
import { type GeneratedToken, generateText } from "../../train/generate-text.js";
import { loadLanguageModelCheckpoint } from "../../train/language-model-checkpoint.js";
import { integerInRange } from "../parse-integer.js";
import { numberInRange } from "../parse-number.js";
import { generateNgramFromFlags } from "./generate-ngram.js";
import { rejectFlags } from "./model-flags.js";

interface GenerateFlags {
  checkpoint?: string;
  model?: string;
  prompt?: string;
  maxTokens: number;
  temperature: number;
  topK?: number;
  topP?: number;
  seed: number;
  showProbs?: boolean;
}

export function generateCommand(): Command {
  const command = new Command("generate")
    .description(
      "continue a prompt with a trained GPT or recurrent LM, printing each token as it is sampled, or sample sentences from an n-gram model",
    )
    .option(
      "--checkpoint <dir>",
      "a GPT or rnn/lstm/gru run directory (its latest checkpoint) or a checkpoint folder",
    )
    .option("--model <file>", "an n-gram model: an ARPA file (from train ngram, KenLM or SRILM)")
    .option(
      "--prompt <text>",
      "the text to continue (needed with --checkpoint; with --model, the first sentence's start)",
    );
  return withSamplingFlags(command, "tokens to generate")
    .option(
      "--show-probs",
      "colour each token by the model's probability for it, then list each token with its probability and the most likely alternatives",
    )
    .action((flags: GenerateFlags, command: Command) => {
      if ((flags.checkpoint === undefined) === (flags.model === undefined)) {
        throw new Error(
          flags.model === undefined
            ? "give --checkpoint DIR (a trained network) or --model FILE.arpa (an n-gram model)"
            : "give --model or --checkpoint, not both",
        );
      }
      const write = (text: string) => process.stdout.write(text);
      if (flags.model !== undefined) {
        rejectFlags(command, ["model", "prompt", "maxTokens", "temperature", "seed"], "n-gram");
        if (flags.showProbs) throw new Error("--show-probs needs --checkpoint (a trained network)");
        generateNgramFromFlags({ ...flags, model: flags.model }, write);
        return;
      }
      if (flags.prompt === undefined) throw new Error("generate --checkpoint needs --prompt TEXT");
      const loaded = loadLanguageModelCheckpoint(flags.checkpoint!);
      const tokens: GeneratedToken[] = [];
      let promptWritten = false;
      const colour = flags.showProbs && process.stdout.isTTY && !process.env.NO_COLOR;
      generateText(loaded, flags.prompt, {
        maxTokens: flags.maxTokens,
        seed: flags.seed,
        sampler: {
          temperature: flags.temperature,
          ...(flags.topK === undefined ? {} : { topK: flags.topK }),
          ...(flags.topP === undefined ? {} : { topP: flags.topP }),
        },
        // With --show-probs each token is written by onToken; here only the prompt.
        write: (text) => {
          if (!flags.showProbs || !promptWritten) write(text);
          promptWritten = true;
        },
        ...(flags.showProbs
          ? {
              onToken: (token: GeneratedToken) => {
                tokens.push(token);
                write(colour ? colouredByProbability(token) : token.text);
              },
            }
          : {}),
      });
      process.stdout.write("\n");
      if (flags.showProbs) process.stdout.write(`\n${probabilityTable(tokens)}`);
    });
}

/** A token on a background from red (improbable) to green (probable), as a terminal shows it. */
function colouredByProbability(token: GeneratedToken): string {
  const level = Math.min(5, Math.floor(token.probability * 6));
  // 256-colour cube: red falls and green rises with the probability.
  const background = 16 + 36 * (5 - level) + 6 * level;
  return `\x1b[48;5;${background}m\x1b[30m${token.text}\x1b[0m`;
}

const shown = (text: string) => JSON.stringify(text);

/** One line per generated token: its probability and the most likely tokens at that step. */
function probabilityTable(tokens: readonly GeneratedToken[]): string {
  return tokens
    .map((t, i) => {
      const alternatives = t.alternatives
        .map((a) => `${shown(a.text)} ${a.probability.toFixed(3)}`)
        .join("  ");
      return `${String(i + 1).padStart(4)}  ${shown(t.text).padEnd(10)} p=${t.probability.toFixed(3)}   top: ${alternatives}\n`;
    })
    .join("");
}

/**
 * The sampling flags of the commands that continue text with a trained model (`generate`,
 * `batch generate`): --max-tokens, --temperature, --top-k, --top-p, --seed.
 */
export function withSamplingFlags(command: Command, maxTokensHelp: string): Command {
  return command
    .option("--max-tokens <n>", maxTokensHelp, integerInRange(0, 1_000_000), 200)
    .option(
      "--temperature <t>",
      "0 picks the most likely token; higher is more random",
      numberInRange(0, 100),
      1,
    )
    .option("--top-k <k>", "sample from the k most likely tokens only", integerInRange(1, 1_000_000_000))
    .option(
      "--top-p <p>",
      "sample from the most likely tokens covering probability p",
      numberInRange(1e-9, 1),
    )
    .option("--seed <n>", "seed for sampling", integerInRange(0, 2 ** 32 - 1), 0);
}

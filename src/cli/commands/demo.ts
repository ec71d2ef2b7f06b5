import { Command } from "commander";
import { runSpiralDemo } from "../demo/spiral-demo.js";
import { integerInRange } from "../parse-integer.js";

/** `infiniset demo`: a small MLP trained on two spirals, in seconds: autograd, the compiler and its cache at work. */
export function demoCommand(): Command {
  return new Command("demo")
    .description("train a small MLP on two spirals with autograd and print the loss, accuracy and cache use")
    .option("--steps <n>", "gradient-descent steps", integerInRange(1, 100_000), 500)
    .option("--seed <n>", "seed for the data and the initial weights", integerInRange(0, 2 ** 32 - 1), 0)
    .action((options: { steps: number; seed: number }) => {
      runSpiralDemo({ ...options, print: (line) => process.stdout.write(`${line}\n`) });
    });
}

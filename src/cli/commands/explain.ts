import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Command } from "commander";
import { getTarget, Tensor } from "../../index.js";
import { integerInRange } from "../parse-integer.js";

/**
 * `infiniset explain SCRIPT`: shows what the compiler makes of a computation. The script's
 * default export is a function (sync or async) returning the tensors to explain: one tensor,
 * an array of them, or an object whose values are tensors.
 */
export function explainCommand(): Command {
  return new Command("explain")
    .description("print the kernels the compiler makes of a script's computation, with a time profile")
    .argument("<script>", "an ES module whose default export returns the tensors to explain")
    .option("--runs <n>", "runs to time (the fastest per kernel is shown)", integerInRange(1, 1000), 3)
    .option("--target <name>", "target to compile for (default: the default target)")
    .addHelpText(
      "after",
      `
Example script (explain-me.mjs):
  import { randn, Tensor } from "infiniset";
  export default () => {
    const x = randn([64, 128]), w = randn([128, 512]);
    Tensor.realize(x, w); // inputs computed first: the explanation shows the rest
    return x.matmul(w).gelu().softmax();
  };`,
    )
    .action(async (script: string, options: { runs: number; target?: string }) => {
      const module = await import(pathToFileURL(resolve(script)).href);
      if (typeof module.default !== "function") {
        throw new Error(`${script}: the default export must be a function returning the tensors to explain`);
      }
      const tensors = tensorsOf(await module.default(), script);
      const target = options.target ? getTarget(options.target) : undefined;
      const explanation = Tensor.explain(tensors, { runs: options.runs, ...(target ? { target } : {}) });
      process.stdout.write(`${explanation}\n`);
    });
}

function tensorsOf(value: unknown, script: string): Tensor[] {
  const list =
    value instanceof Tensor
      ? [value]
      : Array.isArray(value)
        ? value
        : value && typeof value === "object"
          ? Object.values(value)
          : [];
  if (list.length === 0 || !list.every((t) => t instanceof Tensor)) {
    throw new Error(
      `${script}: the function must return a tensor, an array of tensors or an object of tensors`,
    );
  }
  return list as Tensor[];
}

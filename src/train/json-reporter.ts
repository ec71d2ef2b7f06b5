// `--json`: one JSON object per evaluation on a line of its own, for scripts and plots.
import type { TrainingCallback } from "./callbacks.js";

export interface EvaluationLine {
  iter: number;
  trainLoss: number;
  valLoss: number;
  tokensPerSec: number;
  elapsedMs: number;
}

export function jsonReporter(
  write: (line: string) => void = (line) => process.stdout.write(line),
): TrainingCallback {
  return {
    onEvaluation({ iter, trainLoss, valLoss, tokensPerSec, elapsedMs }) {
      const line: EvaluationLine = { iter, trainLoss, valLoss, tokensPerSec, elapsedMs };
      write(`${JSON.stringify(line)}\n`);
      return undefined;
    },
  };
}

// What the epoch-based training commands (train cnn, cvae, detector, captioner, retrieval)
// show while they run: the step and loss on one rewritten stderr line (on a terminal, not
// with --json), then a line per epoch with its figures, or its record as JSON.
import type { EpochRecord } from "../../vision/train-epochs.js";

export function epochReporter(options: {
  epochs: number;
  json?: boolean;
  print: (line: string) => void;
  /** The epoch's own figures ("held-out accuracy 98.10%"). */
  figures: (record: EpochRecord) => string;
  /** Decimals of the loss (default 4). */
  lossDigits?: number;
}): { onStep: (step: number, steps: number, loss: number) => void; onEpoch: (record: EpochRecord) => void } {
  const { epochs, json, print, figures, lossDigits = 4 } = options;
  const progress = !json && process.stderr.isTTY;
  let epoch = 0;
  return {
    onStep: (step, steps, loss) => {
      if (progress)
        process.stderr.write(
          `\r  epoch ${epoch + 1}/${epochs}  step ${step}/${steps}  loss ${loss.toFixed(lossDigits)}  `,
        );
    },
    onEpoch: (r) => {
      epoch = r.epoch;
      if (progress) process.stderr.write("\r\x1b[K");
      print(
        json
          ? JSON.stringify(r)
          : `epoch ${r.epoch}/${epochs}: loss ${r.trainLoss.toFixed(lossDigits)}, ${figures(r)}, ${r.msPerStep.toFixed(0)} ms/step`,
      );
    },
  };
}

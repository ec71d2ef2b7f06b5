// `infiniset eval --checkpoint DIR` for a classifier: predicts the held-out fifth of the
// data it was trained on again (or all of --data) and prints the per-class table,
// confusion matrix, AUC and calibration; --plots writes the SVG plots.
import { resolve } from "node:path";
import { type ClassifierConfig, loadClassifier } from "../../classify/classifier-checkpoint.js";
import { evaluateClassifier, formatEvaluation } from "../../classify/evaluate-classifier.js";
import { heldOutSplit, loadClassifierData } from "../../classify/train-classifier.js";
import { SPAM_ASSASSIN } from "../../data/spam-assassin.js";
import { writeEvaluationPlots } from "./plot.js";

export interface ClassifierEvalFlags {
  checkpoint: string;
  data?: string;
  json?: boolean;
  plots?: string;
}

export function evalClassifierFromFlags(
  flags: ClassifierEvalFlags,
  config: ClassifierConfig,
  print: (line: string) => void,
) {
  const { classifier, path } = loadClassifier(flags.checkpoint);
  const trainedOn = typeof config.training.data === "string" ? config.training.data : undefined;
  const source =
    flags.data === undefined ? trainedOn : flags.data === SPAM_ASSASSIN ? flags.data : resolve(flags.data);
  if (source === undefined) throw new Error(`${path} does not say what it was trained on; pass --data`);
  const { data, strata } = loadClassifierData(source);
  const known = new Map(classifier.classes.map((c, i) => [c, i]));
  for (const c of data.classes) {
    if (!known.has(c))
      throw new Error(
        `${source} has class "${c}", which the classifier does not know (${classifier.classes.join(", ")})`,
      );
  }
  // The held-out fifth of the training data, or every example of other data.
  const indices =
    flags.data === undefined || source === trainedOn
      ? heldOutSplit(data, strata).test
      : [...data.texts.keys()];
  const labels = indices.map((i) => known.get(data.classes[data.labels[i]!]!)!);
  const start = performance.now();
  const probabilities = classifier.predictProba(indices.map((i) => data.texts[i]!));
  const msPerExample = (performance.now() - start) / indices.length;
  const evaluation = evaluateClassifier(labels, probabilities, classifier.classes);
  const plots =
    flags.plots === undefined
      ? []
      : writeEvaluationPlots({ classes: classifier.classes, labels, probabilities }, flags.plots);
  if (flags.json) {
    const { accuracy, f1, auc, logLoss, macro, weighted, perClass, confusion, ece, averagePrecision } =
      evaluation;
    print(
      JSON.stringify({
        model: classifier.kind,
        data: source,
        examples: indices.length,
        accuracy,
        f1,
        auc,
        averagePrecision,
        logLoss,
        ece,
        macro,
        weighted,
        perClass: perClass.map((s, c) => ({ class: classifier.classes[c], ...s })),
        confusion,
        msPerExample,
        plots,
      }),
    );
    return;
  }
  print(
    `${classifier.kind} from ${path} on ${indices.length} ${indices.length === data.texts.length ? "" : "held-out "}texts of ${source}`,
  );
  for (const line of formatEvaluation(evaluation)) print(line);
  print(`prediction: ${msPerExample.toFixed(3)} ms per text`);
  if (plots.length > 0) print(`wrote ${plots.join(", ")}`);
}

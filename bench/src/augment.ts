// augment: does text augmentation help a classifier that has little data? Logistic
// regression on word TF-IDF trained on a small stratified sample of the SpamAssassin
// training split (default 200 emails), with one augmented copy of each email per method,
// scored on the whole held-out split (1,209 emails).
//
//   npm run bench -- augment [--train N] [--json]
import { evaluateClassifier } from "../../dist/src/classify/evaluate-classifier.js";
import { TfidfClassifier } from "../../dist/src/classify/tfidf-classifier.js";
import {
  DEFAULT_SETTINGS,
  heldOutSplit,
  loadClassifierData,
} from "../../dist/src/classify/train-classifier.js";
import { hashSplit } from "../../dist/src/data/hash-split.js";
import { AUGMENTATIONS, type Augmentation, augmentDataset } from "../../dist/src/text/augment.js";
import { type Bench, fmt, formatTable } from "./report.js";

export const augmentBench: Bench = {
  name: "augment",
  description:
    "ablation of text augmentation (deletion, swap, insertion, character noise) on a small spam training set",
  async run(context) {
    const at = context.args.indexOf("--train");
    const trainSize = at < 0 ? 200 : Number(context.args[at + 1]);
    const { data, strata } = loadClassifierData("spam-assassin");
    const split = heldOutSplit(data, strata);
    // A stratified sample of the training split: the same hash rule, keeping trainSize of it.
    const sample = hashSplit(
      split.train.map((i) => data.ids[i]!),
      split.train.map((i) => strata[i]!),
      { seed: 1, testFraction: trainSize / split.train.length },
    ).test.map((j) => split.train[j]!);
    const texts = sample.map((i) => data.texts[i]!);
    const labels = sample.map((i) => data.labels[i]!);
    const testTexts = split.test.map((i) => data.texts[i]!);
    const testLabels = split.test.map((i) => data.labels[i]!);
    const settings = {
      ...DEFAULT_SETTINGS,
      features: { ...DEFAULT_SETTINGS.features, char: null, minDf: 1 },
    };
    // "copy" repeats each text unchanged: the control that tells augmentation's effect from
    // that of more (and so less regularised) training terms in the summed loss.
    const variants: [string, Augmentation[] | "copy"][] = [
      ["none", []],
      ["copy (control)", "copy"],
      ...AUGMENTATIONS.map((a) => [a, [a]] as [string, Augmentation[]]),
      ["all four", [...AUGMENTATIONS]],
    ];
    for (const [name, methods] of variants) {
      context.log(`augmentation: ${name}…`);
      const augmented =
        methods === "copy"
          ? { texts: [...texts, ...texts], labels: [...labels, ...labels] }
          : augmentDataset(texts, labels, methods, { seed: 0 });
      const start = performance.now();
      const model = TfidfClassifier.train(
        "logreg",
        augmented.texts,
        augmented.labels,
        data.classes,
        settings,
      );
      const trainSeconds = (performance.now() - start) / 1000;
      const e = evaluateClassifier(testLabels, model.predictProba(testTexts), data.classes);
      context.emit({
        bench: "augment",
        impl: "infiniset",
        model: "logreg",
        augmentation: name,
        trainExamples: augmented.texts.length,
        f1: e.f1,
        accuracy: e.accuracy,
        auc: e.auc,
        trainSeconds,
      });
    }
  },
  render(records) {
    return formatTable(
      ["augmentation", "training texts", "F1 (spam)", "accuracy", "AUC", "train s"],
      records.map((r) => [
        String(r.augmentation),
        String(r.trainExamples),
        fmt(r.f1 as number, 4),
        fmt(r.accuracy as number, 4),
        fmt(r.auc as number, 4),
        fmt(r.trainSeconds as number, 2),
      ]),
    );
  },
};

// classify: spam filtering on the SpamAssassin corpus's standard split (shared/data-splits.md:
// 4,837 training emails, 1,209 held out). infiniset's TF-IDF naive Bayes and logistic
// regression beside scikit-learn's on the same texts and the same features (word and
// character n-gram TF-IDF; the features are identical, term for term), then infiniset's
// ensembles of the two.
//
//   npm run bench -- classify [--features word,char] [--no-ensembles] [--json]
//
// trainSeconds counts what training takes from texts: fitting the TF-IDF features and the
// model (featureSeconds and fitSeconds give the parts); trainCpuSeconds is the processor
// time of the same work (all threads), the fairer ratio on a shared, loaded machine. scikit-learn runs when Debian's
// python3-sklearn imports (bench/python/classify_sklearn.py); its LogisticRegression is
// lbfgs with C = 10, the same objective infiniset minimises.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  combine,
  combineMembers,
  type EnsembleMethod,
  outOfFoldProbabilities,
} from "../../dist/src/classify/ensemble.js";
import { evaluateClassifier } from "../../dist/src/classify/evaluate-classifier.js";
import type { TextClassifier } from "../../dist/src/classify/text-classifier.js";
import { parseFeatureSpec, TextFeatures } from "../../dist/src/classify/text-features.js";
import { TfidfClassifier } from "../../dist/src/classify/tfidf-classifier.js";
import {
  DEFAULT_SETTINGS,
  heldOutSplit,
  loadClassifierData,
} from "../../dist/src/classify/train-classifier.js";
import { selectRows } from "../../dist/src/text/tfidf.js";
import { type Bench, type BenchContext, type BenchRecord, fmt, formatTable } from "./report.js";

/** Folds of the out-of-fold predictions that weighted averaging and stacking learn from. */
const FOLDS = 3;
const SKLEARN_SCRIPT = fileURLToPath(new URL("../python/classify_sklearn.py", import.meta.url));

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args[at + 1];
}

/** scikit-learn's records, or a note saying why there are none. */
function runSklearn(payload: unknown, context: BenchContext): BenchRecord[] {
  const dir = mkdtempSync(join(tmpdir(), "infiniset-classify-"));
  try {
    const file = join(dir, "data.json");
    writeFileSync(file, JSON.stringify(payload));
    const python = process.env.INFINISET_BENCH_PYTHON ?? "/usr/bin/python3";
    const child = spawnSync(python, [SKLEARN_SCRIPT, file], { encoding: "utf8", maxBuffer: 1 << 26 });
    if (child.status !== 0) {
      const reason = child.error?.message ?? child.stderr.trim().split("\n").at(-1) ?? "failed";
      context.log(`scikit-learn skipped (${reason}); apt-get install python3-sklearn to compare`);
      return [];
    }
    return child.stdout
      .trim()
      .split("\n")
      .map(
        (line) => ({ bench: "classify", ...(JSON.parse(line) as Omit<BenchRecord, "bench">) }) as BenchRecord,
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const classify: Bench = {
  name: "classify",
  description:
    "spam filter on SpamAssassin: TF-IDF naive Bayes and logistic regression beside scikit-learn, and ensembles",
  async run(context) {
    const features = parseFeatureSpec(option(context.args, "--features") ?? "word,char");
    const settings = { ...DEFAULT_SETTINGS, features };
    const { data, strata } = loadClassifierData("spam-assassin");
    const split = heldOutSplit(data, strata);
    const trainTexts = split.train.map((i) => data.texts[i]!);
    const trainLabels = split.train.map((i) => data.labels[i]!);
    const testTexts = split.test.map((i) => data.texts[i]!);
    const testLabels = split.test.map((i) => data.labels[i]!);
    context.log(
      `${trainTexts.length} training and ${testTexts.length} held-out emails; features ${JSON.stringify(features)}`,
    );

    if (!context.args.includes("--no-sklearn")) {
      const payload = {
        texts: data.texts,
        labels: data.labels,
        train: split.train,
        test: split.test,
        features,
        C: settings.C,
        alpha: settings.alpha,
      };
      context.log("scikit-learn…");
      for (const record of runSklearn(payload, context)) context.emit(record);
    }

    const cpuSeconds = (since: NodeJS.CpuUsage) => {
      const used = process.cpuUsage(since);
      return (used.user + used.system) / 1e6;
    };
    const featureCpu = process.cpuUsage();
    const featureStart = performance.now();
    const textFeatures = TextFeatures.create(features);
    const rows = textFeatures.fitTransform(trainTexts);
    const featureSeconds = (performance.now() - featureStart) / 1000;
    const featureCpuSeconds = cpuSeconds(featureCpu);
    const testRows = textFeatures.transform(testTexts);
    const singles = new Map<string, { classifier: TfidfClassifier; probabilities: number[][] }>();
    for (const kind of ["nb", "logreg"] as const) {
      context.log(`infiniset ${kind}…`);
      const start = performance.now();
      const fitCpu = process.cpuUsage();
      const classifier = TfidfClassifier.trainOnRows(
        kind,
        textFeatures,
        rows,
        trainLabels,
        data.classes,
        settings,
      );
      const fitSeconds = (performance.now() - start) / 1000;
      const fitCpuSeconds = cpuSeconds(fitCpu);
      const predictStart = performance.now();
      const probabilities = classifier.predictRows(testRows);
      const msPerExample = (performance.now() - predictStart) / testTexts.length;
      singles.set(kind, { classifier, probabilities });
      const e = evaluateClassifier(testLabels, probabilities, data.classes);
      context.emit({
        bench: "classify",
        impl: "infiniset",
        model: kind,
        f1: e.f1,
        accuracy: e.accuracy,
        auc: e.auc,
        trainSeconds: featureSeconds + fitSeconds,
        featureSeconds,
        fitSeconds,
        trainCpuSeconds: featureCpuSeconds + fitCpuSeconds,
        msPerExample,
        features: textFeatures.size,
        ...(kind === "logreg" ? { iterations: classifier.fitInfo.iterations as number } : {}),
      });
    }
    if (context.args.includes("--no-ensembles")) return;

    // Members trained on a fold reuse the features fitted on the whole training split (the
    // vocabulary and idf see no labels), so out-of-fold predictions cost model fits only.
    const rowsOf = new Map(trainTexts.map((t, i) => [t, i]));
    const trainMember = (
      kind: string,
      texts: readonly string[],
      labels: readonly number[],
    ): TextClassifier => {
      const which = texts.map((t) => rowsOf.get(t)!);
      return TfidfClassifier.trainOnRows(
        kind as "nb" | "logreg",
        textFeatures,
        selectRows(rows, which),
        labels,
        data.classes,
        settings,
      );
    };
    const members = [singles.get("nb")!.classifier, singles.get("logreg")!.classifier];
    const memberProbs = [singles.get("nb")!.probabilities, singles.get("logreg")!.probabilities];
    context.log("out-of-fold predictions for weighted averaging and stacking…");
    const oofStart = performance.now();
    const outOfFold = outOfFoldProbabilities(["nb", "logreg"], trainTexts, trainLabels, trainMember, {
      folds: FOLDS,
      seed: 0,
    });
    const oofSeconds = (performance.now() - oofStart) / 1000;
    for (const method of ["hard", "soft", "weighted", "stacking", "cascade"] as EnsembleMethod[]) {
      const start = performance.now();
      const ensemble = combineMembers(method, members, trainLabels, outOfFold);
      const trainSeconds =
        (performance.now() - start) / 1000 +
        (method === "weighted" || method === "stacking" ? oofSeconds : 0);
      const predictStart = performance.now();
      const probabilities =
        method === "hard" || method === "soft"
          ? combine(method, memberProbs)
          : ensemble.predictProba(testTexts);
      const extra: Record<string, number> = {};
      if (method === "cascade") extra.msPerExample = (performance.now() - predictStart) / testTexts.length;
      if (ensemble.lastCascade) extra.answeredByFirst = ensemble.lastCascade.answered[0]!;
      if (ensemble.weights) extra.weightNb = ensemble.weights[0]!;
      const e = evaluateClassifier(testLabels, probabilities, data.classes);
      context.emit({
        bench: "classify",
        impl: "infiniset",
        model: `${method}(nb,logreg)`,
        f1: e.f1,
        accuracy: e.accuracy,
        auc: e.auc,
        trainSeconds,
        ...extra,
      });
    }
  },
  render(records) {
    const logreg = (impl: string) =>
      records.find((r) => r.model === "logreg" && String(r.impl).startsWith(impl));
    const ours = logreg("infiniset");
    const theirs = logreg("scikit-learn");
    const rows = records.map((r) => [
      String(r.impl),
      String(r.model),
      fmt(r.f1 as number, 4),
      fmt(r.accuracy as number, 4),
      fmt(r.auc as number, 4),
      r.trainSeconds === undefined ? "—" : fmt(r.trainSeconds as number, 2),
      r.fitSeconds === undefined ? "—" : fmt(r.fitSeconds as number, 2),
      r.trainCpuSeconds === undefined ? "—" : fmt(r.trainCpuSeconds as number, 2),
      r.msPerExample === undefined ? "—" : fmt(r.msPerExample as number, 3),
    ]);
    const lines = [
      formatTable(
        ["impl", "model", "F1 (spam)", "accuracy", "AUC", "train s", "fit s", "train CPU s", "ms/email"],
        rows,
      ),
    ];
    if (ours && theirs) {
      lines.push(
        `logreg: F1 ${fmt((ours.f1 as number) - (theirs.f1 as number), 4)} vs scikit-learn; ` +
          `train time ${fmt((ours.trainSeconds as number) / (theirs.trainSeconds as number), 2)}× scikit-learn's ` +
          `(fit alone ${fmt((ours.fitSeconds as number) / (theirs.fitSeconds as number), 2)}×; ` +
          `processor time ${fmt((ours.trainCpuSeconds as number) / (theirs.trainCpuSeconds as number), 2)}×)`,
      );
    }
    return lines.join("\n");
  },
};

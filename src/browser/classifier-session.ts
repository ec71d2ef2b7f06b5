// A text classifier the page trains on labelled examples (the classify area's 1-D CNN over
// a word vocabulary), and which words moved its decision: the gradient of the label's
// log-probability with respect to each word's embedding.
import { TextCnn } from "../classify/sequence-models.js";
import { WordVocabulary } from "../classify/word-vocabulary.js";
import { AdamW } from "../optim/adamw.js";
import { SeededRng } from "../random/seeded-rng.js";
import { tensor } from "../tensor/creation.js";
import { grad, noGrad } from "../tensor/functional.js";
import { crossEntropy } from "../tensor/functions.js";
import type { Tensor } from "../tensor/tensor.js";
import type { SaliencyResult, TrainProgress } from "./engine-protocol.js";

const LENGTH = 48;

interface Trained {
  readonly net: TextCnn;
  readonly vocabulary: WordVocabulary;
  readonly labels: readonly string[];
}

export class ClassifierSession {
  #trained: Trained | undefined;

  train(
    {
      examples,
      steps = 80,
      seed = 0,
    }: { examples: readonly { text: string; label: string }[]; steps?: number; seed?: number },
    progress: (p: TrainProgress) => void,
  ): { labels: readonly string[]; accuracy: number } {
    const labels = [...new Set(examples.map((e) => e.label))].sort();
    if (labels.length < 2) throw new Error("a classifier needs examples of at least two labels");
    const vocabulary = WordVocabulary.fit(
      examples.map((e) => e.text),
      { minCount: 1 },
    );
    const net = new TextCnn(vocabulary.size, labels.length, { embd: 32, filters: 64, seed });
    const optimizer = new AdamW(net.parameters(), { lr: 5e-3, weightDecay: 0.01 });
    const rng = new SeededRng(seed);
    const batch = Math.min(16, examples.length);
    net.train(true);
    for (let step = 1; step <= steps; step++) {
      const start = performance.now();
      const chosen = Array.from({ length: batch }, () => examples[rng.nextInt(examples.length)]!);
      const { ids, mask } = encode(
        vocabulary,
        chosen.map((e) => e.text),
      );
      const targets = tensor(
        chosen.map((e) => labels.indexOf(e.label)),
        [batch],
        { dtype: "int32" },
      );
      const { loss } = optimizer.stepOn(crossEntropy(net.logits(ids, mask), targets), { clipNorm: 1 });
      const ms = performance.now() - start;
      progress({ step, steps, loss, msPerStep: ms, tokensPerSecond: (batch * LENGTH * 1000) / ms });
    }
    net.train(false);
    this.#trained = { net, vocabulary, labels };
    const { ids, mask } = encode(
      vocabulary,
      examples.map((e) => e.text),
    );
    const predicted = noGrad(() => net.logits(ids, mask).argmax(-1)).dataSync();
    const correct = examples.filter((e, i) => labels[predicted[i]!] === e.label).length;
    return { labels, accuracy: correct / examples.length };
  }

  saliency(text: string, label?: string): SaliencyResult {
    if (!this.#trained) throw new Error("train a classifier first");
    const { net, vocabulary, labels } = this.#trained;
    const { ids, mask, real } = encode(vocabulary, [text]);
    if (real[0] === 0) throw new Error("the text has no words");
    const probabilities = [...noGrad(() => net.logits(ids, mask).softmax(-1)).dataSync()];
    const target =
      label === undefined ? probabilities.indexOf(Math.max(...probabilities)) : labels.indexOf(label);
    if (target < 0) throw new Error(`unknown label "${label}" (labels: ${labels.join(", ")})`);
    const embedded = noGrad(() => net.embed.forward(ids));
    const logProbability = (e: Tensor) =>
      net
        .logitsOfEmbeddings(e, mask)
        .logSoftmax(-1)
        .slice([0, target], [1, target + 1])
        .sum();
    const gradient = grad(logProbability)(embedded).dataSync();
    const width = gradient.length / LENGTH;
    const norms = Array.from({ length: real[0]! }, (_, t) => {
      let s = 0;
      for (let d = 0; d < width; d++) s += gradient[t * width + d]! ** 2;
      return Math.sqrt(s);
    });
    const largest = Math.max(...norms) || 1;
    return {
      tokens: [...ids.dataSync().subarray(0, real[0]!)].map((id) => vocabulary.words[id]!),
      labels,
      probabilities,
      label: labels[target]!,
      saliency: norms.map((n) => n / largest),
    };
  }
}

function encode(vocabulary: WordVocabulary, texts: readonly string[]) {
  const ids = new Int32Array(texts.length * LENGTH);
  const mask = new Float32Array(texts.length * LENGTH);
  const real = texts.map((text, b) => {
    const encoded = vocabulary.encode(text, LENGTH);
    ids.set(encoded.ids, b * LENGTH);
    mask.fill(1, b * LENGTH, b * LENGTH + Math.max(1, encoded.real));
    return encoded.real;
  });
  return { ids: tensor(ids, [texts.length, LENGTH]), mask: tensor(mask, [texts.length, LENGTH]), real };
}

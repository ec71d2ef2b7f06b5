// Neural text classifiers (cnn, transformer, gpt-finetune) as TextClassifiers: tokenize,
// pad to a fixed length (one compiled program for every batch), train with AdamW on
// cross-entropy for some epochs, predict in batches, save and load the weights.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { SafetensorsTensor } from "../formats/safetensors.js";
import { readSafetensorsFile, writeSafetensorsFile } from "../formats/safetensors-file.js";
import { Gpt } from "../models/gpt/gpt.js";
import { AdamW } from "../optim/adamw.js";
import { SeededRng } from "../random/seeded-rng.js";
import { tensor } from "../tensor/creation.js";
import { noGrad } from "../tensor/functional.js";
import { crossEntropy } from "../tensor/functions.js";
import type { Tensor } from "../tensor/tensor.js";
import { distillationLoss } from "../train/distillation.js";
import { loadGptCheckpoint } from "../train/gpt-checkpoint.js";
import { fromSafetensorsTensor, toSafetensorsTensor } from "../train/tensor-safetensors.js";
import { type TextTokenizer, tokenizerFromJson } from "../train/tokenizer.js";
import type { ClassifierConfig } from "./classifier-checkpoint.js";
import type { ClassifierSettings } from "./classifier-settings.js";
import { GptClassifierNet, type SequenceNet, TextCnn, TextTransformer } from "./sequence-models.js";
import type { TextClassifier } from "./text-classifier.js";
import { WordVocabulary } from "./word-vocabulary.js";

const WEIGHTS_FILE = "weights.safetensors";
const BATCH = 32;

export type NeuralKind = "cnn" | "transformer" | "gpt-finetune";

/** Token ids of a text, cut or padded to `length`, and its mask; padding is id 0 with mask 0. */
interface Encoder {
  encode(text: string, length: number): { ids: Int32Array; real: number };
}

function batchTensors(encoder: Encoder, texts: readonly string[], length: number) {
  const ids = new Int32Array(texts.length * length);
  const mask = new Float32Array(texts.length * length);
  texts.forEach((text, b) => {
    const encoded = encoder.encode(text, length);
    ids.set(encoded.ids, b * length);
    mask.fill(1, b * length, b * length + Math.max(1, encoded.real));
  });
  return { ids: tensor(ids, [texts.length, length]), mask: tensor(mask, [texts.length, length]) };
}

/** Padding a final partial batch to full size keeps one program for every batch. */
function fullBatch<T>(items: readonly T[], size: number, filler: T): T[] {
  return items.length === size ? [...items] : [...items, ...Array(size - items.length).fill(filler)];
}

export class NeuralTextClassifier implements TextClassifier {
  constructor(
    readonly kind: NeuralKind,
    readonly classes: readonly string[],
    readonly net: SequenceNet,
    readonly encoder: Encoder & { toJSON(): unknown },
    readonly maxTokens: number,
    readonly netConfig: Record<string, unknown>,
  ) {}

  predictProba(texts: readonly string[]): number[][] {
    this.net.train(false);
    const out: number[][] = [];
    for (let start = 0; start < texts.length; start += BATCH) {
      const chunk = texts.slice(start, start + BATCH);
      const { ids, mask } = batchTensors(this.encoder, fullBatch(chunk, BATCH, ""), this.maxTokens);
      const probs = noGrad(() => this.net.logits(ids, mask).softmax(-1)).dataSync();
      const k = this.classes.length;
      for (let i = 0; i < chunk.length; i++) out.push(Array.from(probs.subarray(i * k, (i + 1) * k)));
    }
    return out;
  }

  save(dir: string): Record<string, unknown> {
    mkdirSync(dir, { recursive: true });
    const tensors: Record<string, SafetensorsTensor> = {};
    for (const [name, value] of this.net.stateDict()) tensors[name] = toSafetensorsTensor(value);
    writeSafetensorsFile(join(dir, WEIGHTS_FILE), tensors);
    return { net: this.netConfig, maxTokens: this.maxTokens, tokenizer: this.encoder.toJSON() };
  }
}

/**
 * A GPT tokenizer as an encoder: its ids, cut to length (padding id 0 is masked out).
 * Characters a character-level vocabulary lacks are skipped rather than failing the text.
 */
function gptEncoder(tokenizer: TextTokenizer): Encoder & { toJSON(): unknown } {
  const unknown = new Set<string>();
  const encodeLenient = (text: string): Int32Array => {
    try {
      return tokenizer.encode(text);
    } catch {
      const ids: number[] = [];
      for (const ch of text) {
        if (unknown.has(ch)) continue;
        try {
          ids.push(...tokenizer.encode(ch));
        } catch {
          unknown.add(ch);
        }
      }
      return Int32Array.from(ids);
    }
  };
  return {
    encode(text, length) {
      const all = encodeLenient(text.slice(0, 8 * length));
      const ids = new Int32Array(length);
      ids.set(all.subarray(0, length));
      return { ids, real: Math.min(length, all.length) };
    },
    toJSON: () => tokenizer.toJSON(),
  };
}

function buildNet(
  kind: NeuralKind,
  classes: number,
  maxTokens: number,
  config: Record<string, unknown>,
  gpt?: GptClassifierNet["gpt"],
): SequenceNet {
  const seed = (config.seed as number | undefined) ?? 0;
  if (kind === "cnn") return new TextCnn(config.vocab as number, classes, { seed });
  if (kind === "transformer")
    return new TextTransformer(config.vocab as number, classes, maxTokens, { seed });
  if (!gpt) throw new Error("gpt-finetune needs a GPT");
  return new GptClassifierNet(gpt, classes, seed);
}

/** A teacher's probabilities for each training text, for a student to distil (train/distillation.ts). */
export interface SoftTargets {
  probabilities: readonly (readonly number[])[];
  temperature: number;
  /** Weight of the soft-target loss; the labels get 1 − alpha. */
  alpha: number;
}

export function trainNeuralClassifier(
  kind: NeuralKind,
  texts: readonly string[],
  labels: readonly number[],
  classes: readonly string[],
  settings: ClassifierSettings,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  softTargets?: SoftTargets,
): NeuralTextClassifier {
  if (softTargets && softTargets.probabilities.length !== texts.length) {
    throw new Error(`${softTargets.probabilities.length} teacher predictions for ${texts.length} texts`);
  }
  const seed = settings.seed;
  let encoder: Encoder & { toJSON(): unknown };
  let net: SequenceNet;
  let netConfig: Record<string, unknown>;
  let maxTokens: number;
  if (kind === "gpt-finetune") {
    if (!settings.gptCheckpoint)
      throw new Error("gpt-finetune needs --gpt DIR, a GPT checkpoint trained by infiniset");
    const loaded = loadGptCheckpoint(settings.gptCheckpoint);
    maxTokens = Math.min(settings.maxTokens ?? 128, loaded.model.config.blockSize);
    encoder = gptEncoder(loaded.tokenizer);
    netConfig = { seed, gpt: loaded.config.model.config, from: loaded.path };
    net = buildNet(kind, classes.length, maxTokens, netConfig, loaded.model);
  } else {
    maxTokens = settings.maxTokens ?? (kind === "cnn" ? 256 : 128);
    const vocabulary = WordVocabulary.fit(texts, { prependCls: kind === "transformer" });
    encoder = vocabulary;
    netConfig = { seed, vocab: vocabulary.size };
    net = buildNet(kind, classes.length, maxTokens, netConfig);
  }
  const epochs = settings.epochs ?? (kind === "gpt-finetune" ? 2 : 3);
  const optimizer = new AdamW(net.parameters(), {
    lr: kind === "gpt-finetune" ? 3e-4 : 2e-3,
    weightDecay: 0.01,
  });
  const rng = new SeededRng(seed);
  const order = [...texts.keys()];
  net.train(true);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.nextInt(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    let total = 0;
    let steps = 0;
    const start = performance.now();
    for (let b = 0; b + BATCH <= order.length || (b === 0 && order.length > 0); b += BATCH) {
      const which = fullBatch(order.slice(b, b + BATCH), BATCH, order[0]!);
      const { ids, mask } = batchTensors(
        encoder,
        which.map((i) => texts[i]!),
        maxTokens,
      );
      const targets = tensor(
        Int32Array.from(which, (i) => labels[i]!),
        [BATCH],
      );
      const logits = net.logits(ids, mask);
      // A teacher's probabilities p act as logits log p: softmax(log p / T) is p softened.
      const loss = softTargets
        ? distillationLoss(logits, teacherLogits(softTargets, which, classes.length), targets, softTargets)
        : crossEntropy(logits, targets);
      total += optimizer.stepOn(loss, { clipNorm: 1 }).loss;
      steps++;
    }
    log(
      `${kind} epoch ${epoch + 1}/${epochs}: loss ${(total / Math.max(1, steps)).toFixed(4)} (${((performance.now() - start) / 1000).toFixed(1)} s)`,
    );
  }
  net.train(false);
  return new NeuralTextClassifier(kind, classes, net, encoder, maxTokens, netConfig);
}

/** log p of the teacher for the texts `which`, [which.length, classes], floored so log 0 stays finite. */
function teacherLogits(soft: SoftTargets, which: readonly number[], classes: number): Tensor {
  const values = new Float32Array(which.length * classes);
  which.forEach((i, row) => {
    for (let c = 0; c < classes; c++)
      values[row * classes + c] = Math.log(Math.max(soft.probabilities[i]![c]!, 1e-8));
  });
  return tensor(values, [which.length, classes]);
}

export const NEURAL_KINDS = ["cnn", "transformer", "gpt-finetune"] as const;

export function isNeuralKind(kind: string): kind is NeuralKind {
  return (NEURAL_KINDS as readonly string[]).includes(kind);
}

/** Rebuilds a neural classifier from its checkpoint directory and config. */
export function loadNeuralClassifier(
  kind: NeuralKind,
  dir: string,
  config: ClassifierConfig,
): TextClassifier {
  {
    const model = config.model as { net: Record<string, unknown>; maxTokens: number; tokenizer: unknown };
    let encoder: Encoder & { toJSON(): unknown };
    let gpt: GptClassifierNet["gpt"] | undefined;
    if (kind === "gpt-finetune") {
      const tokenizer = tokenizerFromJson(model.tokenizer);
      encoder = gptEncoder(tokenizer);
      // The architecture comes from the config; the weights (fine-tuned) from this checkpoint.
      gpt = new Gpt(model.net.gpt as ConstructorParameters<typeof Gpt>[0]);
    } else {
      encoder = WordVocabulary.fromJSON(model.tokenizer);
    }
    const net = buildNet(kind, config.classes.length, model.maxTokens, model.net, gpt);
    const weights = new Map(
      [...readSafetensorsFile(join(dir, WEIGHTS_FILE)).tensors].map(([name, t]) => [
        name,
        fromSafetensorsTensor(name, t),
      ]),
    );
    net.loadStateDict(weights);
    net.train(false);
    return new NeuralTextClassifier(kind, config.classes, net, encoder, model.maxTokens, model.net);
  }
}

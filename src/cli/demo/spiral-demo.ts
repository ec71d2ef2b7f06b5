import { compileCount, crossEntropy, defaultTarget, noGrad, type Tensor, tensor } from "../../index.js";
import { SeededRng } from "../../random/seeded-rng.js";
import { gradientDescentStep, initTwoLayerMlp, logits } from "./two-layer-mlp.js";
import { twoSpirals } from "./two-spirals.js";

/**
 * What `infiniset demo` runs: a two-layer MLP learns to tell two spirals apart by plain
 * gradient descent, with `loss.backward()` and `.grad`, on the default target. Sizes are
 * small so that the slow `ref` interpreter finishes in a couple of seconds.
 */
export interface SpiralDemoOptions {
  steps: number;
  seed: number;
  pointsPerClass?: number;
  hidden?: number;
  learningRate?: number;
  /** Called with each line of the report as it is produced. */
  print?: (line: string) => void;
}

export interface SpiralDemoResult {
  /** Loss before the first step, every few steps, and after the last one. */
  losses: { step: number; loss: number }[];
  accuracy: number;
  /** Programs compiled while setting up, in the first step, in all later steps, and to evaluate. */
  compiles: { setup: number; firstStep: number; laterSteps: number; evaluation: number };
  /** Class probabilities of a few sample points, as printed. */
  probabilities: Tensor;
}

const TURNS = 1;
const NOISE = 0.05;

export function runSpiralDemo(options: SpiralDemoOptions): SpiralDemoResult {
  const { steps, seed, pointsPerClass = 100, hidden = 16, learningRate = 1, print = () => {} } = options;
  const started = performance.now();
  const rng = new SeededRng(seed);
  const compilesAtStart = compileCount();

  const data = twoSpirals({ perClass: pointsPerClass, turns: TURNS, noise: NOISE, seed: rng.nextUint32() });
  const mlp = initTwoLayerMlp(2, hidden, 2, [rng.nextUint32(), rng.nextUint32()]);
  const compilesAfterSetup = compileCount();

  print(`A 2-layer MLP (2 → ${hidden} → 2, tanh) learns to tell two spirals apart.`);
  print(
    `${2 * pointsPerClass} points, full-batch gradient descent (learning rate ${learningRate}), ` +
      `${steps} steps on the "${defaultTarget().name}" target.`,
  );
  print("");

  const losses: SpiralDemoResult["losses"] = [];
  const logEvery = Math.max(1, Math.floor(steps / 10));
  const stepWidth = String(steps).length;
  const record = (step: number, loss: number) => {
    losses.push({ step, loss });
    print(`step ${String(step).padStart(stepWidth)}  loss ${loss.toFixed(4)}`);
  };

  let compilesAfterFirstStep = compilesAfterSetup;
  for (let step = 0; step < steps; step++) {
    const loss = crossEntropy(logits(mlp, data.points), data.labels);
    loss.backward();
    if (step % logEvery === 0) record(step, loss.item());
    gradientDescentStep(mlp, learningRate);
    if (step === 0) compilesAfterFirstStep = compileCount();
  }
  const compilesAfterTraining = compileCount();

  const { finalLoss, correct, probabilities } = noGrad(() => {
    const out = logits(mlp, data.points);
    const predicted = out.argmax(-1);
    // The middle and the outer end of each arm (at the centre the two arms meet, which is
    // where the few misclassified points usually are).
    const n = pointsPerClass;
    const middle = Math.floor(n / 2);
    const samples = tensor([middle, n - 1, n + middle, 2 * n - 1], { dtype: "int32" });
    return {
      finalLoss: crossEntropy(out, data.labels).item(),
      correct: predicted.eq(data.labels).sum().item(),
      probabilities: out.gather(samples).softmax(-1),
    };
  });
  record(steps, finalLoss);
  const total = 2 * pointsPerClass;
  const accuracy = correct / total;
  print(`accuracy ${(100 * accuracy).toFixed(1)}% (${correct} of ${total} points)`);
  print("");
  print("class probabilities at the middle and the outer end of each arm (true classes 0, 0, 1, 1):");
  print(probabilities.toString());
  const compiles = {
    setup: compilesAfterSetup - compilesAtStart,
    firstStep: compilesAfterFirstStep - compilesAfterSetup,
    laterSteps: compilesAfterTraining - compilesAfterFirstStep,
    evaluation: compileCount() - compilesAfterTraining,
  };
  print("");
  print("programs compiled (each graph structure compiles once; the program cache serves repeats):");
  print(`  ${compiles.setup} to build the data and the parameters`);
  print(`  ${compiles.firstStep} in the first training step`);
  print(`  ${compiles.laterSteps} in the other ${steps - 1} steps`);
  print(`  ${compiles.evaluation} to evaluate`);
  print(`done in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  return { losses, accuracy, compiles, probabilities };
}

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  AdaptiveAvgPool2d,
  AvgPool2d,
  BatchNorm2d,
  Conv2d,
  ConvTranspose2d,
  Flatten,
  Linear,
  MaxPool2d,
  Module,
  Upsample,
} from "../../src/nn/index.js";
import { Adam } from "../../src/optim/index.js";
import { tensor } from "../../src/tensor/creation.js";
import { gradients } from "../../src/tensor/functional.js";
import type { Tensor } from "../../src/tensor/tensor.js";

// pytorch-vision-reference.py wrote the fixture with PyTorch (float64): a network of every
// image layer, its initial state dict under PyTorch's names, an input, and what PyTorch
// computed from them.
const fixture = JSON.parse(
  readFileSync(new URL("../../../test/nn/fixtures/pytorch-vision.json", import.meta.url), "utf8"),
) as {
  state: Record<string, { shape: number[]; data: number[] }>;
  x: number[];
  trainOutput: number[];
  conv1WeightGrad: number[];
  xGrad: number[];
  runningMean: number[];
  runningVar: number[];
  evalOutput: number[];
};

class Net extends Module {
  conv1 = this.submodule("conv1", new Conv2d(3, 4, 3, { padding: 1 }));
  bn1 = this.submodule("bn1", new BatchNorm2d(4));
  conv2 = this.submodule("conv2", new Conv2d(4, 6, 3, { stride: 2, padding: 1, groups: 2 }));
  pool = this.submodule("pool", new MaxPool2d(2));
  up = this.submodule("up", new ConvTranspose2d(6, 4, 2, { stride: 2 }));
  avg = this.submodule("avg", new AvgPool2d(2));
  adapt = this.submodule("adapt", new AdaptiveAvgPool2d(3));
  resize = this.submodule("resize", new Upsample([5, 5], { mode: "bilinear" }));
  flatten = this.submodule("flatten", new Flatten());
  fc = this.submodule("fc", new Linear(100, 3));

  forward(x: Tensor): Tensor {
    let h = this.bn1.forward(this.conv1.forward(x)).relu();
    h = this.conv2.forward(h).relu();
    h = this.resize.forward(this.adapt.forward(this.avg.forward(this.up.forward(this.pool.forward(h)))));
    return this.fc.forward(this.flatten.forward(h));
  }
}

function close(actual: ArrayLike<number>, expected: readonly number[], what: string, tol = 2e-5) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!);
    assert.ok(
      err <= tol * (1 + Math.abs(expected[i]!)),
      `${what}[${i}]: ${actual[i]} vs PyTorch ${expected[i]}`,
    );
  }
}

function loadPytorch(net: Net) {
  const dict = Object.fromEntries(
    Object.entries(fixture.state).map(([name, { shape, data }]) => [
      name,
      name.endsWith("num_batches_tracked")
        ? tensor(data, shape, { dtype: "int32" })
        : tensor(Float32Array.from(data), shape),
    ]),
  );
  net.loadStateDict(dict);
}

test("a PyTorch state dict of every image layer loads; training and eval outputs, gradients and running statistics match PyTorch", () => {
  const net = new Net();
  assert.deepEqual(
    [...net.stateDict().keys()].sort(),
    Object.keys(fixture.state).sort(),
    "parameter and buffer names are PyTorch's",
  );
  loadPytorch(net);
  const x = tensor(Float32Array.from(fixture.x), [2, 3, 8, 8]).requiresGrad_();
  const y = net.forward(x);
  close(y.dataSync(), fixture.trainOutput, "training output");
  const [gw, gx] = gradients(y.sum(), [net.conv1.weight, x]);
  close(gw!.dataSync(), fixture.conv1WeightGrad, "conv1.weight gradient");
  close(gx!.dataSync(), fixture.xGrad, "input gradient");
  net.eval();
  close(net.bn1.runningMean.dataSync(), fixture.runningMean, "running_mean");
  close(net.bn1.runningVar.dataSync(), fixture.runningVar, "running_var");
  assert.equal(net.bn1.numBatchesTracked.item(), 1);
  close(net.forward(x).dataSync(), fixture.evalOutput, "evaluation output");
});

test("batch norm's running statistics are computed in the optimizer's step program when staged values go with it", () => {
  const net = new Net();
  loadPytorch(net);
  const optimizer = new Adam(net.parameters(), { lr: 0 });
  const x = tensor(Float32Array.from(fixture.x), [2, 3, 8, 8]);
  const loss = net.forward(x).sum();
  const staged = net.stagedValues();
  assert.equal(staged.length, 3);
  optimizer.stepOn(loss, { alsoCompute: staged });
  net.commitStaged();
  assert.equal(net.stagedValues().length, 0);
  close(net.bn1.runningMean.dataSync(), fixture.runningMean, "running_mean");
  close(net.bn1.runningVar.dataSync(), fixture.runningVar, "running_var");
});

test("layers reject inputs of the wrong shape with one clear error", () => {
  assert.throws(
    () => new Conv2d(3, 4, 3).forward(tensor(new Float32Array(16), [1, 1, 4, 4])),
    /Conv2d: expects images \[batch, 3, height, width\], got \[1,1,4,4\]/,
  );
  assert.throws(
    () => new Conv2d(3, 4, 3, { groups: 2 }),
    /Conv2d: inChannels \(3\) and outChannels \(4\) must be divisible by groups \(2\)/,
  );
  assert.throws(
    () => new BatchNorm2d(2).forward(tensor(new Float32Array(2), [1, 2, 1, 1])),
    /BatchNorm2d: training needs more than one value per channel/,
  );
});

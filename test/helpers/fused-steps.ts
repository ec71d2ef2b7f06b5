import { arange, type Tensor, where } from "../../src/index.js";

/**
 * Steps of random programs for the fusion tests: elementwise, movement, reduction and
 * matmul instructions in combinations the fusion passes must get right on every target.
 */
export type Step = (x: Tensor, y: Tensor) => Tensor;
export const steps: Record<string, Step> = {
  add: (x, y) => x.add(y),
  mulBroadcastRow: (x, y) => x.mul(y.sum(0, true)),
  subColumn: (x, y) => x.sub(y.mean(1, true)),
  exp: (x) => x.mul(0.3).exp(),
  tanh: (x) => x.tanh(),
  gelu: (x) => x.gelu(),
  sigmoid: (x) => x.sigmoid(),
  relu: (x) => x.relu(),
  transposeAdd: (x, y) => x.add(y.transpose().transpose()),
  flip: (x) => x.flip(1),
  sliceAndPad: (x) => x.slice([0, 1]).pad([0, 1], [0, 0]),
  softmax: (x) => x.softmax(),
  layerNormish: (x) => x.sub(x.mean(1, true)).div(x.variance(1, true).add(1e-5).sqrt()),
  maxShift: (x) => x.sub(x.max(1, true)),
  maxOverRows: (x, y) => x.sub(x.add(y).max(0, true)),
  meanOverRows: (x) => x.sub(x.mul(x).mean(0, true)),
  matmulT: (x, y) => x.matmul(y.transpose()).matmul(y).mul(0.01),
  reshapeRoundTrip: (x) => x.reshape([-1]).reshape(x.shape as number[]),
  where: (x, y) => x.gt(y).cast("float32").mul(x).add(y.mul(0.5)),
  // a host kernel (reference semantics on the target's memory) between generated ones
  gatherRows: (x, y) =>
    x
      .add(y)
      .gather(arange(x.shape[0]! - 1, -1, -1, { dtype: "int32" }), 0)
      .mul(0.5),
  // a bool mask in a buffer (used twice, as dropout's is) read by a matmul's epilogue
  maskedMatmul: (x, y) => {
    const mask = x.gt(y);
    return where(mask, 0, x.matmul(y.transpose().matmul(y)).mul(0.01)).add(where(mask, y, 0));
  },
};

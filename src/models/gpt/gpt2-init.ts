import { Embedding } from "../../nn/embedding.js";
import { normal } from "../../nn/init.js";
import { Linear } from "../../nn/linear.js";
import type { Module } from "../../nn/module.js";
import type { SeededRng } from "../../random/seeded-rng.js";
import { zeros } from "../../tensor/creation.js";
import { Tensor } from "../../tensor/tensor.js";

const STD = 0.02;

/**
 * GPT-2's initialisation (as nanoGPT does it): every Linear and Embedding weight from
 * N(0, 0.02²), Linear biases 0, and the projections that write into the residual stream
 * (`attn.proj`, `mlp.proj`) scaled down by 1/√(2·nLayer), because each block adds two of
 * them to the stream. LayerNorms keep their ones and zeros. All new values are computed in
 * one program and then assigned.
 */
export function initGpt2Weights(model: Module, nLayer: number, rng: SeededRng): void {
  const residualStd = STD / Math.sqrt(2 * nLayer);
  const updates: [Tensor, Tensor][] = [];
  for (const [name, m] of model.namedModules()) {
    if (m instanceof Linear) {
      const residual = name.endsWith("attn.proj") || name.endsWith("mlp.proj");
      updates.push([m.weight, normal(m.weight.shape, residual ? residualStd : STD, rng)]);
      if (m.bias) updates.push([m.bias, zeros(m.bias.shape)]);
    } else if (m instanceof Embedding) {
      updates.push([m.weight, normal(m.weight.shape, STD, rng)]);
    }
  }
  Tensor.realize(...updates.map(([, value]) => value));
  for (const [param, value] of updates) param.assign(value);
}

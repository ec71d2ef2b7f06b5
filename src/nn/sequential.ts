import type { Tensor } from "../tensor/tensor.js";
import { Module } from "./module.js";

/** A module that maps one tensor to one tensor: what Sequential can chain. */
export interface Layer extends Module {
  forward(x: Tensor): Tensor;
}

/** Applies layers in order; they are named "0", "1", … (parameters `0.weight`, …). */
export class Sequential extends Module {
  readonly layers: readonly Layer[];

  constructor(...layers: Layer[]) {
    super();
    this.layers = layers.map((layer, i) => this.submodule(String(i), layer));
  }

  forward(x: Tensor): Tensor {
    return this.layers.reduce((h, layer) => layer.forward(h), x);
  }
}

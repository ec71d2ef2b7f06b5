import type { Tensor } from "../tensor/tensor.js";
import { checkSize } from "./check-size.js";
import { Dropout } from "./dropout.js";
import type { InitOptions } from "./init.js";
import { floatLinears, type LinearFactory, type LinearLayer } from "./linear-layer.js";
import { Module } from "./module.js";
import type { SeedStream } from "./seed-stream.js";

export interface MLPOptions extends InitOptions {
  /** Width of the hidden layer (default 4·embd, as GPT-2). */
  hidden?: number;
  bias?: boolean;
  dropout?: number;
  seeds?: SeedStream;
  /** Makes `fc` and `proj` (default: float32 Linears). */
  linears?: LinearFactory;
}

/** The Transformer's feed-forward part: Linear `fc` → exact GELU → Linear `proj` → dropout. */
export class MLP extends Module {
  readonly fc: LinearLayer;
  readonly proj: LinearLayer;
  readonly dropout: Dropout;

  constructor(
    readonly embd: number,
    options: MLPOptions = {},
  ) {
    super();
    checkSize("MLP", "embd", embd);
    const hidden = options.hidden ?? 4 * embd;
    checkSize("MLP", "hidden", hidden);
    const linear = { bias: options.bias ?? true, rng: options.rng };
    const make = options.linears ?? floatLinears;
    this.fc = this.submodule("fc", make(embd, hidden, linear));
    this.proj = this.submodule("proj", make(hidden, embd, linear));
    this.dropout = this.submodule("dropout", new Dropout(options.dropout ?? 0, { seeds: options.seeds }));
  }

  forward(x: Tensor): Tensor {
    return this.dropout.forward(this.proj.forward(this.fc.forward(x).gelu()));
  }
}

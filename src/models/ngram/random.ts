import { weylStream } from "../../random/weyl-stream.js";

/** A seeded uniform stream, so that sampling is reproducible across runs and platforms. */
export const seededRandom: (seed: number) => () => number = weylStream;

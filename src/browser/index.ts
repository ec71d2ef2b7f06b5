// `infiniset/browser`: the engine in a Web Worker and the page's asynchronous API to it.
export { Engine } from "./engine.js";
export type * from "./engine-protocol.js";

import type { Target } from "../target.js";
import type { NativeTargetOptions } from "./native-target.js";

// native-target.ts in a browser, where C cannot be compiled or called.

export type { NativeTargetOptions } from "./native-target.js";

export function createNativeTarget(_options: NativeTargetOptions = {}): Target {
  throw new Error(
    "the native target needs Node.js (a C compiler and an FFI); in a browser use wasm or webgpu",
  );
}

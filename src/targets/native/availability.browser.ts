import type { NativeToolchain } from "./native-toolchain.js";

// availability.ts in a browser: no C compiler, no FFI.

export interface NativeAvailability {
  readonly available: boolean;
  readonly reason?: string;
  readonly toolchain?: NativeToolchain;
  readonly koffiVersion?: string;
}

export function nativeAvailability(): NativeAvailability {
  return { available: false, reason: "a browser runs no C compiler (the wasm target runs there)" };
}

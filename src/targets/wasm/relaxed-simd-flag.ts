/** Switches on V8's relaxed-SIMD flag (Node 20 has it off); false where that cannot be done. */
export async function switchOnRelaxedSimd(): Promise<boolean> {
  if (typeof process === "undefined" || !process.versions?.node) return false;
  try {
    const v8 = await import("node:v8");
    v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
    return true;
  } catch {
    return false;
  }
}

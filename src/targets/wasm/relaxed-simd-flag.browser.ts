/** relaxed-simd-flag.ts in a browser: a page cannot set the engine's flags. */
export async function switchOnRelaxedSimd(): Promise<boolean> {
  return false;
}

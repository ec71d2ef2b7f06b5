/** Throws unless n is a positive integer: the check every layer makes on its sizes. */
export function checkSize(layer: string, what: string, n: number): void {
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${layer}: ${what} must be a positive integer, got ${n}`);
}

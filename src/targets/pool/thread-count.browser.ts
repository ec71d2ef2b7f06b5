/**
 * Threads to use in a browser: the cores the browser reports, where workers can share
 * memory (a cross-origin isolated page) and the calling thread may wait on them (a
 * worker, not the page's own thread, which must never block); else 1.
 */
export function defaultThreadCount(): number {
  const onPageThread = typeof (globalThis as { document?: unknown }).document !== "undefined";
  if (onPageThread || !globalThis.crossOriginIsolated) return 1;
  return Math.max(1, navigator.hardwareConcurrency || 1);
}

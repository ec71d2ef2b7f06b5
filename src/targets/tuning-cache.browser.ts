// tuning-cache.ts in a browser: no files, so a choice lasts as long as the page.
const caches = new Map<string, Record<string, unknown>>();

export function readTuningCache(name: string): Record<string, unknown> {
  return caches.get(name) ?? {};
}

export function saveTuningChoice(name: string, key: string, value: unknown): void {
  caches.set(name, { ...readTuningCache(name), [key]: value });
}

export function machineDescription(): string {
  return `${navigator.userAgent} ${navigator.hardwareConcurrency} cores`;
}

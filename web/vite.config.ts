import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

/**
 * A library module `x.ts` that has a browser twin `x.browser.ts` (the same exports without
 * Node's APIs) is replaced by it, as package.json's `browser` field does for other
 * bundlers that read the built files.
 */
function browserTwins(): Plugin {
  return {
    name: "infiniset-browser-twins",
    enforce: "pre",
    async resolveId(source, importer, options) {
      if (!importer || !source.startsWith(".")) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      if (!resolved?.id.endsWith(".ts") || resolved.id.endsWith(".browser.ts")) return resolved;
      const twin = resolved.id.replace(/\.ts$/, ".browser.ts");
      return existsSync(twin) ? { ...resolved, id: twin } : resolved;
    },
  };
}

/** Cross-origin isolation, without which a page has no SharedArrayBuffer (the worker pool's memory). */
export const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  plugins: [browserTwins()],
  worker: { format: "es", plugins: () => [browserTwins()] },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 2000 },
});

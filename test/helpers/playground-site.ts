// The built playground served as a visitor gets it, and Debian's Chromium to open it: what
// the playground test and the browser bench share.
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium } from "playwright-core";
import { build, createLogger, type PreviewServer, preview } from "vite";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const configFile = join(root, "web", "vite.config.ts");

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Why Chromium cannot be started here, or undefined when it can. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (.ci/run installs Debian's chromium)`;
}

/**
 * Builds the site into web/dist, as `npm run build:web` does; `nodeModules` are the
 * modules of Node the bundler found imported and replaced by empty ones (the page would
 * fail where it calls them).
 */
export async function buildPlayground(): Promise<{ dir: string; nodeModules: string[] }> {
  const logger = createLogger("warn");
  const nodeModules: string[] = [];
  const warn = logger.warn;
  logger.warn = (message, options) => {
    const externalized =
      /Module "([^"]+)" has been externalized for browser compatibility, imported by "([^"]+)"/.exec(message);
    if (externalized) nodeModules.push(`${externalized[1]} (imported by ${externalized[2]})`);
    warn(message, options);
  };
  await build({ configFile, customLogger: logger, logLevel: "warn" });
  return { dir: join(root, "web", "dist"), nodeModules };
}

/** Serves web/dist on a loopback port with the cross-origin isolation headers (vite preview). */
export async function servePlayground(): Promise<{ url: string; server: PreviewServer }> {
  const server = await preview({ configFile, preview: { port: 0, host: "127.0.0.1" }, logLevel: "warn" });
  return { url: server.resolvedUrls!.local[0]!, server };
}

/**
 * Headless Chromium with a fresh profile that talks to nothing but the pages it is sent
 * to; `gpu` adds WebGPU (off by default: --disable-gpu).
 */
export function launchChromium(options: { gpu?: boolean } = {}): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "infiniset-chromium-")), {
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      ...(options.gpu ? ["--enable-unsafe-webgpu"] : ["--disable-gpu"]),
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
    viewport: { width: 1200, height: 900 },
    acceptDownloads: true,
  });
}

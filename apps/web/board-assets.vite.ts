import { cpSync, createReadStream, existsSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Plugin } from "vite";

const here = path.dirname(fileURLToPath(import.meta.url));

/** A package's folder (hoisted to the root node_modules, or in this workspace's own). */
function packageDir(name: string): string {
  const local = path.join(here, "node_modules", name);
  return existsSync(local) ? local : path.join(here, "../../node_modules", name);
}

/**
 * The board's runtime files served from our own origin, never a CDN (docs/DECISIONS.md):
 * Excalidraw's fonts (window.EXCALIDRAW_ASSET_PATH = "/assets/excalidraw/") and pdf.js's CMaps,
 * standard fonts, ICC profiles and wasm decoders. Their names carry content hashes or versions,
 * so they live under /assets/ (cached as immutable). Copied into the build; served by the dev server.
 */
const BOARD_ASSETS: [url: string, dir: () => string][] = [
  ["assets/excalidraw/fonts", () => path.join(packageDir("@excalidraw/excalidraw"), "dist/prod/fonts")],
  ["assets/pdfjs/cmaps", () => path.join(packageDir("pdfjs-dist"), "cmaps")],
  ["assets/pdfjs/standard_fonts", () => path.join(packageDir("pdfjs-dist"), "standard_fonts")],
  ["assets/pdfjs/iccs", () => path.join(packageDir("pdfjs-dist"), "iccs")],
  ["assets/pdfjs/wasm", () => path.join(packageDir("pdfjs-dist"), "wasm")],
];

export function boardAssets(): Plugin {
  let outDir = "dist";
  return {
    name: "vtp-board-assets",
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    writeBundle() {
      for (const [url, dir] of BOARD_ASSETS) cpSync(dir(), path.join(outDir, url), { recursive: true });
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const pathname = decodeURIComponent((req.url ?? "").split("?")[0] ?? "");
        for (const [url, dir] of BOARD_ASSETS) {
          if (!pathname.startsWith(`/${url}/`)) continue;
          const root = dir();
          const file = path.join(root, pathname.slice(url.length + 2));
          if (!file.startsWith(root + path.sep) || !existsSync(file) || !statSync(file).isFile()) break;
          const types: Record<string, string> = { ".woff2": "font/woff2", ".js": "text/javascript", ".wasm": "application/wasm" };
          res.setHeader("content-type", types[path.extname(file)] ?? "application/octet-stream");
          createReadStream(file).pipe(res);
          return;
        }
        next();
      });
    },
  };
}

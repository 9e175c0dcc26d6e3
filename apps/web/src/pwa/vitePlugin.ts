// biome-ignore lint/correctness/noNodejsModules: a build-time Vite plugin (runs in Node, never in the bundle).
import { createHash } from "node:crypto";
// biome-ignore lint/correctness/noNodejsModules: a build-time Vite plugin (runs in Node, never in the bundle).
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
// biome-ignore lint/correctness/noNodejsModules: a build-time Vite plugin (runs in Node, never in the bundle).
import path from "node:path";
import type { Plugin } from "vite";

interface ManifestChunk {
  file: string;
  css?: string[];
  imports?: string[];
  isEntry?: boolean;
}

/** Every file under `dir` as a site path ("/icons/icon-192.png"). */
function publicFiles(dir: string, prefix = "/"): string[] {
  return readdirSync(dir).flatMap((name) =>
    statSync(path.join(dir, name)).isDirectory() ? publicFiles(path.join(dir, name), `${prefix}${name}/`) : [`${prefix}${name}`],
  );
}

/**
 * Writes dist/sw.js from src/pwa/sw.js (used by vite.config.ts; needs `build.manifest`): the
 * precache list is index.html, the entry's JS/CSS and their static imports (from Vite's manifest;
 * lazy chunks are cached when first loaded) and the files of public/; the version is a hash of
 * them all, so a build that changes any of them is a new worker.
 */
export function vtpServiceWorker(): Plugin {
  let outDir = "dist";
  let publicDir = "public";
  return {
    name: "vtp-service-worker",
    apply: "build",
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
      publicDir = config.publicDir;
    },
    closeBundle() {
      const manifest = JSON.parse(readFileSync(path.join(outDir, ".vite/manifest.json"), "utf8")) as Record<string, ManifestChunk>;
      const files = new Set<string>();
      const visit = (key: string) => {
        const chunk = manifest[key];
        if (!chunk || files.has(`/${chunk.file}`)) return;
        files.add(`/${chunk.file}`);
        for (const css of chunk.css ?? []) files.add(`/${css}`);
        for (const imported of chunk.imports ?? []) visit(imported);
      };
      for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);
      const precache = ["/index.html", ...files, ...publicFiles(publicDir)].filter((file) => !file.endsWith(".map"));
      const template = readFileSync(path.join(import.meta.dirname, "sw.js"), "utf8");
      const hash = createHash("sha256").update(template);
      for (const file of precache) hash.update(file).update(readFileSync(path.join(outDir, file)));
      const worker = template.replace("/* precache */ []", JSON.stringify(precache)).replace("__VTP_VERSION__", hash.digest("hex").slice(0, 12));
      writeFileSync(path.join(outDir, "sw.js"), worker);
    },
  };
}

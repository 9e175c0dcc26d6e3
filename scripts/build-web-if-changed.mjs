#!/usr/bin/env node
// Builds the web client only when its inputs changed since the last build.
//
// The inputs (apps/web sources, index.html, vite and TypeScript config, package files,
// packages/protocol, the lockfile) are hashed; the hash of a successful build is kept in
// apps/web/dist/.build-stamp. No dist, no stamp, a different hash, or --force: build.
//
// VTP_WEB_BUILD_COMMAND replaces the builder (default `npm run build -w apps/web`);
// VTP_BUILD_ROOT points at another checkout (both are for tests).
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = path.resolve(process.env.VTP_BUILD_ROOT || path.join(path.dirname(fileURLToPath(import.meta.url)), ".."));
const dist = path.join(root, "apps/web/dist");
const stampFile = path.join(dist, ".build-stamp");
const builder = process.env.VTP_WEB_BUILD_COMMAND || "npm run build -w apps/web";

/** Files and folders whose content ends up in the built client. */
const INPUTS = [
  "apps/web/src",
  "apps/web/public",
  "apps/web/index.html",
  "apps/web/package.json",
  "apps/web/tsconfig.json",
  "apps/web/vite.config.ts",
  "apps/web/vite.config.js",
  "apps/web/vite.config.mjs",
  "packages/protocol/src",
  "packages/protocol/package.json",
  "tsconfig.base.json",
  "package-lock.json",
];
const SKIPPED = /(^|\/)(node_modules|dist)(\/|$)|\.test\.tsx?$/;

function listFiles(rel) {
  const abs = path.join(root, rel);
  if (!existsSync(abs)) return [];
  if (!statSync(abs).isDirectory()) return [rel];
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) =>
      path
        .relative(root, path.join(e.parentPath ?? e.path, e.name))
        .split(path.sep)
        .join("/"),
    )
    .filter((f) => !SKIPPED.test(f));
}

/** One hash over every input file's path and content. */
function inputsHash() {
  const hash = createHash("sha256");
  const files = INPUTS.flatMap(listFiles).sort();
  for (const f of files) {
    hash
      .update(f)
      .update("\0")
      .update(readFileSync(path.join(root, f)))
      .update("\0");
  }
  return hash.digest("hex");
}

function readStamp() {
  try {
    return readFileSync(stampFile, "utf8").trim();
  } catch {
    return undefined;
  }
}

const force = process.argv.includes("--force");
const before = inputsHash();
const built = existsSync(path.join(dist, "index.html")) && readStamp() === before;
if (built && !force) {
  console.log("web client unchanged since its last build: skipping the build (apps/web/dist)");
  process.exit(0);
}

console.log(existsSync(path.join(dist, "index.html")) ? "web client changed: building it" : "web client not built yet: building it");
const run = spawnSync(builder, { cwd: root, shell: true, stdio: "inherit" });
if (run.status !== 0) {
  console.error(`web client build failed (${builder})`);
  process.exit(run.status ?? 1);
}
if (!existsSync(path.join(dist, "index.html"))) {
  console.error(`web client build (${builder}) left no apps/web/dist/index.html`);
  process.exit(1);
}
// The hash from before the build: a file edited while building makes the next start rebuild.
writeFileSync(stampFile, `${before}\n`);

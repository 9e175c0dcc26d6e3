#!/usr/bin/env node
// One-letter names only for loop indices: fails on `const x =` / `let x:` / `var x =` whose name is
// a single letter, outside a `for (…)` header, other than the index names i, j and k (Biome has
// no rule for it). Run by `npm run lint`. Callback parameters (`xs.map((x) => …)`) are
// iterations and stay allowed.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const roots = ["apps/server/src", "apps/web/src", "packages/protocol/src", "tests", "scripts"];
const declaration = /\b(?:const|let|var)\s+([a-zA-Z])\s*[=:]/g;
const indexNames = new Set(["i", "j", "k"]);

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "dist") continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(full);
    else if (/\.(?:ts|tsx|mjs|js)$/.test(entry.name)) yield full;
  }
}

/** Whether position `at` of `line` is inside a string literal (an odd number of quotes before it). */
function inString(line, at) {
  const before = line.slice(0, at);
  return ['"', "'", "`"].some((quote) => before.split(quote).length % 2 === 0);
}

const problems = [];
for (const root of roots) {
  for (const file of files(root)) {
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((line, index) => {
        for (const match of line.matchAll(declaration)) {
          const loopHeader = /\bfor\s*\(/.test(line.slice(0, match.index));
          if (indexNames.has(match[1]) || loopHeader || inString(line, match.index)) continue;
          problems.push(`${file}:${index + 1}: "${match[1]}" — name it by what it holds (one-letter names only for loop indices)`);
        }
      });
  }
}
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}

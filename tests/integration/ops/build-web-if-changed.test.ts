import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../helpers/process.js";

/**
 * `npm start` builds the web client only when something it is built from changed. The script
 * runs against a small checkout in a temp folder with a fake builder that counts its runs.
 */
const SCRIPT = path.join(REPO_ROOT, "scripts/build-web-if-changed.mjs");

function checkout() {
  const root = mkdtempSync(path.join(tmpdir(), "vtp-build-"));
  const files: Record<string, string> = {
    "apps/web/index.html": "<div id=root></div>",
    "apps/web/package.json": '{"name":"@vtp/web"}',
    "apps/web/vite.config.ts": "export default {}",
    "apps/web/src/main.tsx": "console.log('v1')",
    "apps/web/src/state.test.ts": "test",
    "packages/protocol/src/index.ts": "export const A = 1",
    "packages/protocol/package.json": '{"name":"@vtp/protocol"}',
    "package-lock.json": "{}",
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  const count = path.join(root, "builds.log");
  // The fake builder empties dist like vite does, then writes the entry page and counts the run.
  const builder = `node -e "const fs=require('fs');fs.rmSync('apps/web/dist',{recursive:true,force:true});fs.mkdirSync('apps/web/dist');fs.writeFileSync('apps/web/dist/index.html','built');fs.appendFileSync('builds.log','x');if(process.env.FAIL_BUILD)process.exit(3)"`;
  const run = (env: Record<string, string> = {}) => {
    const result = spawnSync(process.execPath, [SCRIPT], {
      env: { ...process.env, VTP_BUILD_ROOT: root, VTP_WEB_BUILD_COMMAND: builder, ...env },
      encoding: "utf8",
    });
    return { code: result.status, out: result.stdout + result.stderr, builds: existsSync(count) ? readFileSync(count, "utf8").length : 0 };
  };
  const edit = (file: string, text: string) => writeFileSync(path.join(root, file), text);
  return { root, run, edit };
}

describe("build-web-if-changed", () => {
  it("builds when dist is missing, skips while nothing changed, rebuilds after a change", () => {
    const repo = checkout();
    expect(repo.run()).toMatchObject({ code: 0, builds: 1 });
    const again = repo.run();
    expect(again).toMatchObject({ code: 0, builds: 1 });
    expect(again.out).toMatch(/unchanged.*skipping/);

    repo.edit("apps/web/src/main.tsx", "console.log('v2')");
    expect(repo.run()).toMatchObject({ code: 0, builds: 2 });
    expect(repo.run()).toMatchObject({ builds: 2 });

    repo.edit("packages/protocol/src/index.ts", "export const A = 2");
    expect(repo.run()).toMatchObject({ builds: 3 });
    repo.edit("apps/web/index.html", "<div id=app></div>");
    expect(repo.run()).toMatchObject({ builds: 4 });
    repo.edit("apps/web/vite.config.ts", "export default { base: '/' }");
    expect(repo.run()).toMatchObject({ builds: 5 });
    repo.edit("apps/web/package.json", '{"name":"@vtp/web","version":"2"}');
    expect(repo.run()).toMatchObject({ builds: 6 });
    mkdirSync(path.join(repo.root, "apps/web/src/new"), { recursive: true });
    repo.edit("apps/web/src/new/page.tsx", "export {}");
    expect(repo.run()).toMatchObject({ builds: 7 });

    // a test file is not part of the bundle
    repo.edit("apps/web/src/state.test.ts", "changed test");
    expect(repo.run()).toMatchObject({ builds: 7 });

    rmSync(path.join(repo.root, "apps/web/dist"), { recursive: true });
    expect(repo.run()).toMatchObject({ code: 0, builds: 8 });
    expect(repo.run().builds).toBe(8);
    rmSync(repo.root, { recursive: true, force: true });
  });

  it("a failed build fails the start and is retried next time; --force always builds", () => {
    const repo = checkout();
    const failed = repo.run({ FAIL_BUILD: "1" });
    expect(failed.code).not.toBe(0);
    expect(failed.out).toMatch(/build failed/);
    expect(repo.run()).toMatchObject({ code: 0, builds: 2 });
    expect(repo.run().builds).toBe(2);
    const forced = spawnSync(process.execPath, [SCRIPT, "--force"], {
      env: { ...process.env, VTP_BUILD_ROOT: repo.root, VTP_WEB_BUILD_COMMAND: "node -e \"require('fs').appendFileSync('builds.log','x')\"" },
      encoding: "utf8",
    });
    expect(forced.status).toBe(0);
    expect(readFileSync(path.join(repo.root, "builds.log"), "utf8")).toHaveLength(3);
    rmSync(repo.root, { recursive: true, force: true });
  });

  it("is what `npm start` runs before the server", () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
    expect(pkg.scripts.start).toMatch(/^node scripts\/build-web-if-changed\.mjs && node apps\/server\/bin\/vtp\.js start$/);
  });
});

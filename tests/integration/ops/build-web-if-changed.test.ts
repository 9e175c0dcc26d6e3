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
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    writeFileSync(path.join(root, f), text);
  }
  const count = path.join(root, "builds.log");
  // The fake builder empties dist like vite does, then writes the entry page and counts the run.
  const builder = `node -e "const fs=require('fs');fs.rmSync('apps/web/dist',{recursive:true,force:true});fs.mkdirSync('apps/web/dist');fs.writeFileSync('apps/web/dist/index.html','built');fs.appendFileSync('builds.log','x');if(process.env.FAIL_BUILD)process.exit(3)"`;
  const run = (env: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, [SCRIPT], {
      env: { ...process.env, VTP_BUILD_ROOT: root, VTP_WEB_BUILD_COMMAND: builder, ...env },
      encoding: "utf8",
    });
    return { code: r.status, out: r.stdout + r.stderr, builds: existsSync(count) ? readFileSync(count, "utf8").length : 0 };
  };
  const edit = (f: string, text: string) => writeFileSync(path.join(root, f), text);
  return { root, run, edit };
}

describe("build-web-if-changed", () => {
  it("builds when dist is missing, skips while nothing changed, rebuilds after a change", () => {
    const c = checkout();
    expect(c.run()).toMatchObject({ code: 0, builds: 1 });
    const again = c.run();
    expect(again).toMatchObject({ code: 0, builds: 1 });
    expect(again.out).toMatch(/unchanged.*skipping/);

    c.edit("apps/web/src/main.tsx", "console.log('v2')");
    expect(c.run()).toMatchObject({ code: 0, builds: 2 });
    expect(c.run()).toMatchObject({ builds: 2 });

    c.edit("packages/protocol/src/index.ts", "export const A = 2");
    expect(c.run()).toMatchObject({ builds: 3 });
    c.edit("apps/web/index.html", "<div id=app></div>");
    expect(c.run()).toMatchObject({ builds: 4 });
    c.edit("apps/web/vite.config.ts", "export default { base: '/' }");
    expect(c.run()).toMatchObject({ builds: 5 });
    c.edit("apps/web/package.json", '{"name":"@vtp/web","version":"2"}');
    expect(c.run()).toMatchObject({ builds: 6 });
    mkdirSync(path.join(c.root, "apps/web/src/new"), { recursive: true });
    c.edit("apps/web/src/new/page.tsx", "export {}");
    expect(c.run()).toMatchObject({ builds: 7 });

    // a test file is not part of the bundle
    c.edit("apps/web/src/state.test.ts", "changed test");
    expect(c.run()).toMatchObject({ builds: 7 });

    rmSync(path.join(c.root, "apps/web/dist"), { recursive: true });
    expect(c.run()).toMatchObject({ code: 0, builds: 8 });
    expect(c.run().builds).toBe(8);
    rmSync(c.root, { recursive: true, force: true });
  });

  it("a failed build fails the start and is retried next time; --force always builds", () => {
    const c = checkout();
    const failed = c.run({ FAIL_BUILD: "1" });
    expect(failed.code).not.toBe(0);
    expect(failed.out).toMatch(/build failed/);
    expect(c.run()).toMatchObject({ code: 0, builds: 2 });
    expect(c.run().builds).toBe(2);
    const forced = spawnSync(process.execPath, [SCRIPT, "--force"], {
      env: { ...process.env, VTP_BUILD_ROOT: c.root, VTP_WEB_BUILD_COMMAND: "node -e \"require('fs').appendFileSync('builds.log','x')\"" },
      encoding: "utf8",
    });
    expect(forced.status).toBe(0);
    expect(readFileSync(path.join(c.root, "builds.log"), "utf8")).toHaveLength(3);
    rmSync(c.root, { recursive: true, force: true });
  });

  it("is what `npm start` runs before the server", () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
    expect(pkg.scripts.start).toMatch(/^node scripts\/build-web-if-changed\.mjs && node apps\/server\/bin\/vtp\.js start$/);
  });
});

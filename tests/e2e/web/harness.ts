/**
 * Shared pieces of the browser tests: build the web client when its sources changed, start the
 * real `vtp start` process on a free port, launch Debian's Chromium with a fake camera/mic, and
 * read links from the mail outbox.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";

export const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const ARTIFACTS = path.join(ROOT, "test-artifacts", "web");

/** Skip (with a reason) only outside CI when Chromium is missing; in CI a missing browser fails. */
export function chromiumMissing(): string | false {
  if (existsSync(CHROMIUM)) return false;
  if (process.env.CI === "true") throw new Error(`Chromium not found at ${CHROMIUM} (required in CI)`);
  return `Chromium not found at ${CHROMIUM}: skipping browser tests`;
}

function newestMtime(entryPath: string): number {
  const st = statSync(entryPath);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const e of readdirSync(entryPath)) if (e !== "node_modules" && e !== "dist") max = Math.max(max, newestMtime(path.join(entryPath, e)));
  return max;
}

/** Builds apps/web when dist is missing or older than the sources (serialized with a lock dir). */
export async function ensureWebBuilt(): Promise<void> {
  const web = path.join(ROOT, "apps/web");
  const built = path.join(web, "dist/index.html");
  const sources = Math.max(
    newestMtime(path.join(web, "src")),
    newestMtime(path.join(web, "index.html")),
    newestMtime(path.join(web, "vite.config.ts")),
    newestMtime(path.join(ROOT, "packages/protocol/src")),
  );
  const fresh = () => existsSync(built) && statSync(built).mtimeMs >= sources;
  if (fresh()) return;
  const lock = path.join(tmpdir(), "vtp-web-build.lock");
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) rmSync(lock, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }
  try {
    if (fresh()) return;
    const build = spawnSync("npm", ["run", "build", "-w", "@vtp/web"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NODE_ENV: "production" } });
    if (build.status !== 0) throw new Error(`web build failed:\n${build.stdout}\n${build.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export interface Server {
  url: string;
  dataDir: string;
  output(): string;
  stop(): Promise<void>;
}

/** Starts `node apps/server/bin/vtp.js start` and waits for /api/v1/health. */
export async function startServer(env: Record<string, string> = {}): Promise<Server> {
  // Against an already running server (e.g. `vite preview` in front of it): VTP_E2E_URL + VTP_E2E_DATA_DIR.
  if (process.env.VTP_E2E_URL && process.env.VTP_E2E_DATA_DIR) {
    const dataDir = process.env.VTP_E2E_DATA_DIR;
    return { url: process.env.VTP_E2E_URL, dataDir, output: () => "", stop: async () => {} };
  }
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), "vtp-web-e2e-"));
  const url = `http://127.0.0.1:${port}`;
  const proc: ChildProcess = spawn(process.execPath, [path.join(ROOT, "apps/server/bin/vtp.js"), "start"], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      VTP_DATA_DIR: dataDir,
      BCRYPT_COST: "4",
      LOG_LEVEL: "warn",
      PUBLIC_URL: url,
      AUTH_RATE_LIMIT_PER_MINUTE: "100000",
      // As in tests/helpers/app.ts: recording-content turns composing during the class on.
      RECORDING_COMPOSE_LIVE: "false",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout!.on("data", (chunk) => (out += chunk));
  proc.stderr!.on("data", (chunk) => (out += chunk));
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited (${proc.exitCode}) before it was ready:\n${out}`);
    try {
      if ((await fetch(`${url}/api/v1/health`)).ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`server did not start in time:\n${out}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    dataDir,
    output: () => out,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((resolve) => proc.once("exit", resolve));
        proc.kill("SIGTERM");
        const killTimer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(killTimer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The newest link in the outbox mail to `to` whose path starts with `pathPrefix`. */
export async function linkFromOutbox(server: Server, to: string, pathPrefix: string, timeoutMs = 15_000): Promise<string> {
  const dir = path.join(server.dataDir, "outbox");
  const safe = to.replace(/[^a-z0-9@._-]/gi, "_");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const files = existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith(`-${safe}.eml`))
          .sort()
      : [];
    for (const f of files.reverse()) {
      // Undo quoted-printable soft breaks and =3D before looking for the link.
      const raw = readFileSync(path.join(dir, f), "utf8")
        .replace(/=\r?\n/g, "")
        .replace(/=3D/gi, "=");
      const link = raw.match(new RegExp(`${server.url.replace(/[.]/g, "\\.")}${pathPrefix}\\?token=[A-Za-z0-9_\\-.%]+`));
      if (link) return link[0];
    }
    if (Date.now() > deadline) throw new Error(`no mail to ${to} with a ${pathPrefix} link in ${dir}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Chromium with a fake camera and microphone. `fakeAudioFile`: a WAV the fake microphone plays
 * (looped) instead of its beep; each browser has one, so a test with several speakers launches
 * one browser per speaker.
 */
export async function launchBrowser(options: { fakeAudioFile?: string } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream",
      ...(options.fakeAudioFile ? [`--use-file-for-fake-audio-capture=${options.fakeAudioFile}`] : []),
    ],
  });
}

/**
 * The set-up of a browser test: the web client built, a `vtp start` server (with `serverEnv`) and
 * a Chromium, started before the describe block's tests and stopped after them. Read `server` and
 * `browser` inside the tests (they are set once beforeAll has run).
 */
export function webE2E(serverEnv: Record<string, string> | (() => Record<string, string>) = {}) {
  const web = { server: undefined as unknown as Server, browser: undefined as unknown as Browser };
  beforeAll(async () => {
    await ensureWebBuilt();
    [web.server, web.browser] = await Promise.all([startServer(typeof serverEnv === "function" ? serverEnv() : serverEnv), launchBrowser()]);
  });
  afterAll(async () => {
    await web.browser?.close();
    await web.server?.stop();
  });
  return web;
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 375, height: 740 };

export async function newContext(browser: Browser, baseURL: string, viewport = DESKTOP): Promise<BrowserContext> {
  const ctx = await browser.newContext({ baseURL, viewport, permissions: ["camera", "microphone", "clipboard-read", "clipboard-write"] });
  ctx.setDefaultTimeout(15_000);
  // VTP_E2E_DEBUG=1 prints the pages' console and errors.
  if (process.env.VTP_E2E_DEBUG) {
    ctx.on("console", (msg) => console.log(`[page ${msg.type()}] ${msg.text()}`));
    ctx.on("weberror", (webError) => console.log(`[page error] ${webError.error().message}`));
    await ctx.addInitScript(() => localStorage.setItem("vtpDebug", "media"));
  }
  return ctx;
}

/** Saves a full-page screenshot under test-artifacts/web/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

let counter = 0;
export function uniqueEmail(prefix: string): string {
  return `${prefix}.${Date.now().toString(36)}${(counter++).toString(36)}@example.org`;
}

/** Registers and verifies an account through the API (for tests that are not about sign-up). */
export async function verifiedUser(
  server: Server,
  role: "student" | "teacher",
  fullName: string,
  password = "a good password 1",
): Promise<{ email: string; password: string; fullName: string }> {
  const email = uniqueEmail(role);
  const res = await fetch(`${server.url}/api/v1/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password, fullName, role }),
  });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${await res.text()}`);
  const token = new URL(await linkFromOutbox(server, email, "/verify-email")).searchParams.get("token");
  const verified = await fetch(`${server.url}/api/v1/auth/verify-email`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token }),
  });
  if (!verified.ok) throw new Error(`verify failed: ${verified.status}`);
  return { email, password, fullName };
}

/** Signs in through the sign-in page and waits for the dashboard. */
export async function signInUi(page: Page, who: { email: string; password: string }): Promise<void> {
  await page.goto("/sign-in");
  await page.getByTestId("signin-email").fill(who.email);
  await page.getByTestId("signin-password").fill(who.password);
  await page.getByTestId("signin-submit").click();
  await page.waitForURL("**/dashboard");
}

/**
 * The teacher signs in, creates a class from the dashboard and starts it (pre-join → join).
 * Returns the teacher's context and page and the class's join code.
 */
export async function startClassUi(
  browser: Browser,
  server: Server,
  teacher: { email: string; password: string },
  opts: { title: string; waitingRoom?: boolean; init?: (ctx: BrowserContext) => Promise<void> },
): Promise<{ ctx: BrowserContext; page: Page; code: string }> {
  const ctx = await newContext(browser, server.url);
  await opts.init?.(ctx);
  const page = await ctx.newPage();
  await signInUi(page, teacher);
  await page.getByTestId("new-class").click();
  await page.getByTestId("class-title").fill(opts.title);
  if (opts.waitingRoom) await page.getByTestId("class-waiting-room").check();
  await page.getByTestId("create-class-submit").click();
  const code = (await page.getByTestId("class-code").first().textContent())!.trim();
  await page.getByTestId("start-class").first().click();
  await page.getByTestId("prejoin-join").click();
  await page.getByTestId("classroom").waitFor();
  return { ctx, page, code };
}

/** A student signs in and joins by the class code's link, up to pressing "Join" on the pre-join page. */
export async function joinClassUi(
  browser: Browser,
  server: Server,
  student: { email: string; password: string },
  code: string,
  viewport = DESKTOP,
  init?: (ctx: BrowserContext) => Promise<void>,
): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await newContext(browser, server.url, viewport);
  await init?.(ctx);
  const page = await ctx.newPage();
  await signInUi(page, student);
  await page.goto(`/join/${code}`);
  await page.getByTestId("prejoin-join").click();
  return { ctx, page };
}

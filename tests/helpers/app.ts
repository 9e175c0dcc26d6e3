import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import pino from "pino";
import { buildApp, type AppDeps } from "../../apps/server/src/app.js";
import { loadConfig, type Config } from "../../apps/server/src/config/index.js";
import type { Mailer, MailMessage } from "../../apps/server/src/mail/index.js";
import { freshDatabase } from "./db.js";

/** Collects mails in memory; used only where a test is not about mail delivery itself. */
export class MemoryMailer implements Mailer {
  readonly kind = "outbox" as const;
  readonly sent: MailMessage[] = [];
  async send(mail: MailMessage) {
    this.sent.push(mail);
  }
  async close() {}
  /** The token from the newest mail to `to` whose link contains `pathPart`. */
  tokenFor(to: string, pathPart: string): string {
    const mail = [...this.sent].reverse().find((x) => x.to === to && x.link?.includes(pathPart));
    if (!mail?.link) throw new Error(`no ${pathPart} mail for ${to}`);
    return new URL(mail.link).searchParams.get("token")!;
  }
}

export interface TestApp {
  app: FastifyInstance;
  config: Config;
  mailer: MemoryMailer;
  dataDir: string;
  close(): Promise<void>;
}

export function testConfig(env: Record<string, string> = {}): Config {
  const dataDir = mkdtempSync(path.join(tmpdir(), "vtp-test-"));
  return loadConfig(
    {
      VTP_DATA_DIR: dataDir,
      BCRYPT_COST: "4",
      LOG_LEVEL: "silent",
      PUBLIC_URL: "http://vtp.test",
      AUTH_RATE_LIMIT_PER_MINUTE: "100000",
      JWT_SECRET: "test-secret-test-secret-test-secret-0123",
      // Composing during the class (recording/progressive/) costs most of a core per recording: the
      // tests about it turn it on (progressive, board-render, the e2e recording-content); the rest
      // record with the after-class pass, which it falls back to.
      RECORDING_COMPOSE_LIVE: "false",
      ...env,
    },
    { persistSecret: false },
  );
}

/** The whole app on a fresh database, without a port (use app.inject). */
/**
 * `deps.media`: a media service of the test's own (a fake) instead of the in-process SFU;
 * `deps.logger`: where the app logs (silent by default); `deps.database`: a database the test
 * opened itself (closed, not dropped, by `close`) instead of a fresh one.
 */
export async function createTestApp(env: Record<string, string> = {}, deps: Pick<AppDeps, "media" | "logger" | "database"> = {}): Promise<TestApp> {
  const config = testConfig(env);
  const own = deps.database;
  const fresh = own ? undefined : await freshDatabase();
  const database = own ?? fresh?.handle;
  const mailer = new MemoryMailer();
  const app = await buildApp(config, { ...deps, database, mailer, logger: deps.logger ?? pino({ level: "silent" }) });
  await app.ready();
  return {
    app,
    config,
    mailer,
    dataDir: config.dataDir,
    close: async () => {
      await app.close();
      if (fresh) await fresh.drop();
      else await own?.close();
      rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}

/** Registers, verifies and signs in a user; returns tokens and the user. */
export async function signUp(testApp: TestApp, opts: { email?: string; role?: "student" | "teacher"; fullName?: string; password?: string } = {}) {
  const email = opts.email ?? `u${Math.random().toString(36).slice(2, 10)}@school.test`;
  const password = opts.password ?? "correct horse battery";
  const reg = await testApp.app.inject({
    method: "POST",
    url: "/api/v1/auth/register",
    payload: { email, password, fullName: opts.fullName ?? "Test User", role: opts.role ?? "student" },
  });
  if (reg.statusCode !== 201) throw new Error(`register failed: ${reg.body}`);
  const token = testApp.mailer.tokenFor(email, "/verify-email");
  await testApp.app.inject({ method: "POST", url: "/api/v1/auth/verify-email", payload: { token } });
  const login = await testApp.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { email, password } });
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.body}`);
  const body = login.json();
  return {
    email,
    password,
    user: body.user,
    accessToken: body.accessToken as string,
    refreshToken: body.refreshToken as string,
    auth: { authorization: `Bearer ${body.accessToken}` },
  };
}

/** An admin made the way an operator does (the service behind `vtp create-admin`). */
export async function makeAdmin(testApp: TestApp, email = `admin${Math.random().toString(36).slice(2, 8)}@school.test`) {
  const password = "admin password 123";
  await testApp.app.ctx.accounts.ensureAdmin({ email, password, fullName: "Admin" });
  const login = await testApp.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { email, password } });
  const body = login.json();
  return { email, password, user: body.user, accessToken: body.accessToken as string, auth: { authorization: `Bearer ${body.accessToken}` } };
}

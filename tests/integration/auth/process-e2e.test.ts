import { readdirSync, readFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createPgDatabase } from "../../helpers/db.js";
import { runVtp, startVtp, type VtpProcess } from "../../helpers/process.js";
import { decodeMail, startSmtp, tokenFromMail } from "../../helpers/smtp.js";

/**
 * The real `vtp start` process over real HTTP: mail through a real SMTP server, and the
 * embedded outbox a person uses without one. Uses PostgreSQL when TEST_DATABASE_URL is set.
 */
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

async function dbEnv(): Promise<Record<string, string>> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) return {};
  const { url, drop } = await createPgDatabase(base);
  cleanups.push(drop);
  return { DATABASE_URL: url };
}

async function api(server: VtpProcess, method: string, url: string, body?: unknown, token?: string) {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

describe("vtp start, end to end", () => {
  it("runs the whole account lifecycle with mail over SMTP", async () => {
    const smtp = await startSmtp();
    cleanups.push(() => smtp.close());
    const server = await startVtp({
      ...(await dbEnv()),
      SMTP_URL: smtp.url,
      MAIL_FROM: "VTP <no-reply@school.test>",
      VTP_ADMIN_EMAIL: "root@school.test",
      VTP_ADMIN_PASSWORD: "root password 1",
    });
    cleanups.push(() => server.stop("SIGKILL"));

    const health = await api(server, "GET", "/api/v1/health");
    expect(health.body).toMatchObject({ status: "ok", database: "ok" });

    const email = "teacher@school.test";
    const reg = await api(server, "POST", "/api/v1/auth/register", { email, password: "first password", fullName: "Tess Teacher", role: "teacher" });
    expect(reg.status).toBe(201);
    const verifyToken = await smtp.waitFor(email, "/verify-email");
    const mailText = decodeMail(smtp.mails.at(-1)!.raw);
    expect(mailText).toContain(`${server.url}/verify-email?token=`);
    expect(mailText).toContain("From: VTP <no-reply@school.test>");
    expect((await api(server, "POST", "/api/v1/auth/verify-email", { token: verifyToken })).status).toBe(200);

    const login = await api(server, "POST", "/api/v1/auth/login", { email, password: "first password" });
    expect(login.status).toBe(200);
    const first = login.body.refreshToken;
    const refreshed = await api(server, "POST", "/api/v1/auth/refresh", { refreshToken: first });
    expect(refreshed.status).toBe(200);
    // Rotated twice, so `first` is no longer the just-rotated token a second tab may still present.
    const newest = await api(server, "POST", "/api/v1/auth/refresh", { refreshToken: refreshed.body.refreshToken });
    expect(newest.status).toBe(200);
    const reuse = await api(server, "POST", "/api/v1/auth/refresh", { refreshToken: first });
    expect(reuse.status).toBe(401);
    expect(reuse.body.error.code).toBe("REFRESH_TOKEN_REUSED");
    expect((await api(server, "POST", "/api/v1/auth/refresh", { refreshToken: newest.body.refreshToken })).status).toBe(401);

    const again = await api(server, "POST", "/api/v1/auth/login", { email, password: "first password" });
    const changed = await api(
      server,
      "POST",
      "/api/v1/auth/change-password",
      { currentPassword: "first password", newPassword: "second password" },
      again.body.accessToken,
    );
    expect(changed.status).toBe(200);
    expect((await api(server, "POST", "/api/v1/auth/login", { email, password: "second password" })).status).toBe(200);

    expect((await api(server, "POST", "/api/v1/auth/forgot-password", { email })).status).toBe(202);
    const resetToken = await smtp.waitFor(email, "/reset-password");
    expect((await api(server, "POST", "/api/v1/auth/reset-password", { token: resetToken, newPassword: "third password" })).status).toBe(200);
    const third = await api(server, "POST", "/api/v1/auth/login", { email, password: "third password" });
    expect(third.status).toBe(200);

    // the first admin came from VTP_ADMIN_EMAIL/VTP_ADMIN_PASSWORD; it disables the teacher
    const admin = await api(server, "POST", "/api/v1/auth/login", { email: "root@school.test", password: "root password 1" });
    expect(admin.body.user.role).toBe("admin");
    const disable = await api(server, "PATCH", `/api/v1/admin/users/${third.body.user.id}`, { disabled: true }, admin.body.accessToken);
    expect(disable.status).toBe(200);
    const after = await api(server, "POST", "/api/v1/auth/refresh", { refreshToken: third.body.refreshToken });
    expect(after.status).toBe(401);
    expect((await api(server, "GET", "/api/v1/auth/profile", undefined, third.body.accessToken)).body.error.code).toBe("ACCOUNT_DISABLED");

    // secrets never reach the logs
    const logs = server.output();
    for (const secret of ["first password", "second password", "third password", "root password 1", first, login.body.accessToken, verifyToken, resetToken]) {
      expect(logs).not.toContain(secret);
    }

    // graceful shutdown on SIGTERM
    expect(await server.stop("SIGTERM")).toBe(0);
  });

  it("lets a person verify through the outbox file when no SMTP server is set", async () => {
    const server = await startVtp(await dbEnv());
    cleanups.push(() => server.stop("SIGKILL"));
    const email = "student@school.test";
    expect((await api(server, "POST", "/api/v1/auth/register", { email, password: "student password", fullName: "Sam", role: "student" })).status).toBe(201);
    const outbox = path.join(server.dataDir, "outbox");
    const files = readdirSync(outbox).filter((f) => f.endsWith(".eml"));
    expect(files).toHaveLength(1);
    const eml = decodeMail(readFileSync(path.join(outbox, files[0]), "utf8"));
    expect(eml).toMatch(/^To: student@school\.test$/m);
    const token = tokenFromMail(eml, "/verify-email");
    expect(server.output()).toContain("verify-email?token="); // the link is logged for local use
    expect((await api(server, "POST", "/api/v1/auth/verify-email", { token })).status).toBe(200);
    expect((await api(server, "POST", "/api/v1/auth/login", { email, password: "student password" })).status).toBe(200);
    // JWT secret was generated and kept in the data dir
    expect(readFileSync(path.join(server.dataDir, "jwt-secret"), "utf8").trim().length).toBeGreaterThan(40);
    expect(await server.stop("SIGINT")).toBe(0);
  });
});

describe("vtp CLI", () => {
  it("migrates, creates an admin, and reports bad configuration clearly", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "vtp-cli-"));
    const env = { ...(await dbEnv()), VTP_DATA_DIR: dataDir, BCRYPT_COST: "4", LOG_LEVEL: "warn" };
    const m1 = await runVtp(["migrate"], env);
    expect(m1.code, m1.stderr).toBe(0);
    expect(m1.stdout).toMatch(/Applied: 001_accounts/);
    const m2 = await runVtp(["migrate"], env);
    expect(m2.stdout).toMatch(/up to date/);

    const created = await runVtp(["create-admin", "--email", "Boss@School.test", "--password", "boss password", "--name", "The Boss"], env);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/Created admin boss@school\.test/);
    const weak = await runVtp(["create-admin", "--email", "x@school.test", "--password", "short"], env);
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/WEAK_PASSWORD/);
    const missing = await runVtp(["create-admin", "--email", "x@school.test"], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--password/);

    const server = await startVtp(env);
    cleanups.push(() => server.stop("SIGKILL"));
    expect((await api(server, "POST", "/api/v1/auth/login", { email: "boss@school.test", password: "boss password" })).body.user).toMatchObject({
      role: "admin",
      fullName: "The Boss",
    });
    await server.stop();

    const bad = await runVtp(["start"], { ...env, PORT: "seventy", BCRYPT_COST: "99", DATABASE_URL: "mysql://x", LOG_LEVEL: "loud" });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/PORT must be a whole number/);
    expect(bad.stderr).toMatch(/BCRYPT_COST/);
    expect(bad.stderr).toMatch(/DATABASE_URL must start with postgres/);
    expect(bad.stderr).toMatch(/LOG_LEVEL must be one of/);
  });
});

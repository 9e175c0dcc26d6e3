import type { AdminUsersResponse } from "@vtp/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, makeAdmin, signUp, type TestApp } from "../../helpers/app.js";

let testApp: TestApp;
beforeAll(async () => {
  testApp = await createTestApp();
});
afterAll(async () => {
  await testApp?.close();
});

const post = (url: string, payload?: object, headers: Record<string, string> = {}) =>
  testApp.app.inject({ method: "POST", url: `/api/v1/auth${url}`, payload, headers });

describe("health", () => {
  it("reports ok with the database", async () => {
    for (const url of ["/health", "/api/v1/health"]) {
      const res = await testApp.app.inject({ url });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ status: "ok", database: "ok", version: expect.any(String), uptimeSeconds: expect.any(Number) });
    }
  });
  it("serves OpenAPI with the auth routes", async () => {
    const res = await testApp.app.inject({ url: "/api/openapi.json" });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/admin/users"]));
    const ui = await testApp.app.inject({ url: "/api/docs/" });
    expect(ui.statusCode).toBe(200);
  });
  it("answers unknown routes with a JSON 404", async () => {
    const res = await testApp.app.inject({ url: "/api/v1/nope" });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe("NOT_FOUND");
  });
});

describe("register and verify", () => {
  it("registers with a trimmed, lowercased email and sends a verification link", async () => {
    const res = await post("/register", { email: "  Alice@Example.ORG ", password: "a long password", fullName: " Alice ", role: "teacher" });
    expect(res.statusCode).toBe(201);
    const { user } = res.json();
    expect(user).toMatchObject({ email: "alice@example.org", fullName: "Alice", role: "teacher", emailVerified: false });
    expect(user).not.toHaveProperty("passwordHash");
    const mail = testApp.mailer.sent.find((m) => m.to === "alice@example.org")!;
    expect(mail.link).toMatch(/^http:\/\/vtp\.test\/verify-email\?token=[\w-]{40,}$/);
    expect(mail.text).toContain(mail.link);
  });

  it("refuses a duplicate email, however it is written", async () => {
    const res = await post("/register", { email: "ALICE@example.org", password: "a long password", fullName: "Other", role: "student" });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe("EMAIL_TAKEN");
  });

  it("refuses self-registration as admin", async () => {
    const res = await post("/register", { email: "root@example.org", password: "a long password", fullName: "Root", role: "admin" });
    expect(res.statusCode).toBe(400);
  });

  it("enforces password length and bcrypt's 72-byte limit without truncation", async () => {
    const short = await post("/register", { email: "s@example.org", password: "short", fullName: "S", role: "student" });
    expect(short.json().error.code).toBe("WEAK_PASSWORD");
    const long = await post("/register", { email: "s@example.org", password: "x".repeat(129), fullName: "S", role: "student" });
    expect(long.json().error.code).toBe("WEAK_PASSWORD");
    // 40 characters but 80 bytes: bcrypt would silently drop the tail.
    const bytes = await post("/register", { email: "s@example.org", password: "é".repeat(40), fullName: "S", role: "student" });
    expect(bytes.statusCode).toBe(400);
    expect(bytes.json().error.code).toBe("PASSWORD_TOO_LONG");
    const exactly72 = await post("/register", { email: "s72@example.org", password: "a".repeat(72), fullName: "S", role: "student" });
    expect(exactly72.statusCode).toBe(201);
  });

  it("will not sign in before verification, then verifies once", async () => {
    const login = await post("/login", { email: "alice@example.org", password: "a long password" });
    expect(login.statusCode).toBe(403);
    expect(login.json().error.code).toBe("EMAIL_NOT_VERIFIED");
    const token = testApp.mailer.tokenFor("alice@example.org", "/verify-email");
    const verified = await post("/verify-email", { token });
    expect(verified.statusCode).toBe(200);
    expect(verified.json().user.emailVerified).toBe(true);
    const again = await post("/verify-email", { token });
    expect(again.statusCode).toBe(400);
    expect(again.json().error.code).toBe("INVALID_TOKEN");
    expect((await post("/verify-email", { token: "nonsense" })).json().error.code).toBe("INVALID_TOKEN");
  });

  it("rejects an expired verification token", async () => {
    await post("/register", { email: "late@example.org", password: "a long password", fullName: "Late", role: "student" });
    const token = testApp.mailer.tokenFor("late@example.org", "/verify-email");
    await testApp.app.ctx.db
      .updateTable("email_tokens")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("purpose", "=", "verify_email")
      .where("used_at", "is", null)
      .execute();
    const res = await post("/verify-email", { token });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe("TOKEN_EXPIRED");
  });

  it("resends verification with 202 whether or not the account exists", async () => {
    const before = testApp.mailer.sent.length;
    expect((await post("/resend-verification", { email: "late@example.org" })).statusCode).toBe(202);
    expect(testApp.mailer.sent.length).toBe(before + 1);
    expect((await post("/resend-verification", { email: "nobody@example.org" })).statusCode).toBe(202);
    expect((await post("/resend-verification", { email: "alice@example.org" })).statusCode).toBe(202); // already verified: no mail
    expect(testApp.mailer.sent.length).toBe(before + 1);
    // the new link works, the old one was replaced
    const res = await post("/verify-email", { token: testApp.mailer.tokenFor("late@example.org", "/verify-email") });
    expect(res.statusCode).toBe(200);
  });

  it("stores only hashes of tokens", async () => {
    const token = testApp.mailer.tokenFor("alice@example.org", "/verify-email");
    const rows = await testApp.app.ctx.db.selectFrom("email_tokens").select("token_hash").execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.token_hash).not.toContain(token);
    expect(rows.map((r) => r.token_hash)).not.toContain(token);
  });
});

describe("login, refresh, logout", () => {
  it("signs in and returns a bearer session", async () => {
    const res = await post("/login", { email: "ALICE@example.org", password: "a long password" });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ tokenType: "Bearer", expiresIn: 900, user: { email: "alice@example.org" } });
    const [, payload] = body.accessToken.split(".");
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    expect(claims).toMatchObject({ sub: body.user.id, role: "teacher", jti: expect.any(String) });
    expect(claims.exp - claims.iat).toBe(900);
    const profile = await testApp.app.inject({ url: "/api/v1/auth/profile", headers: { authorization: `Bearer ${body.accessToken}` } });
    expect(profile.json().user.email).toBe("alice@example.org");
  });

  it("gives the same answer for a wrong password and an unknown email", async () => {
    const knownEmail = await post("/login", { email: "alice@example.org", password: "wrong password!" });
    const unknownEmail = await post("/login", { email: "ghost@example.org", password: "wrong password!" });
    expect(knownEmail.statusCode).toBe(401);
    expect(unknownEmail.statusCode).toBe(401);
    expect(knownEmail.json()).toEqual(unknownEmail.json());
    expect(knownEmail.json().error.code).toBe("INVALID_CREDENTIALS");
  });

  it("rejects tokens signed with another algorithm or key", async () => {
    const header = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
    const user = await signUp(testApp);
    const payload = user.accessToken.split(".")[1];
    for (const token of [`${header}.${payload}.`, `${user.accessToken.slice(0, -4)}AAAA`, "garbage"]) {
      const res = await testApp.app.inject({ url: "/api/v1/auth/profile", headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe("INVALID_TOKEN");
    }
    const none = await testApp.app.inject({ url: "/api/v1/auth/profile" });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe("UNAUTHORIZED");
  });

  it("rotates refresh tokens and revokes the family when an old one is reused", async () => {
    const user = await signUp(testApp);
    const r1 = await post("/refresh", { refreshToken: user.refreshToken });
    expect(r1.statusCode).toBe(200);
    const second = r1.json().refreshToken;
    expect(second).toBeTruthy();
    expect(second).not.toBe(user.refreshToken);
    // Rotated again, so the first is no longer the just-rotated token a second tab may present (refresh-grace.test.ts).
    const third = (await post("/refresh", { refreshToken: second })).json().refreshToken;
    const reuse = await post("/refresh", { refreshToken: user.refreshToken });
    expect(reuse.statusCode).toBe(401);
    expect(reuse.json().error.code).toBe("REFRESH_TOKEN_REUSED");
    // the thief's replay also killed the legitimate newest token
    const after = await post("/refresh", { refreshToken: third });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe("INVALID_TOKEN");
  });

  it("logs out by revoking the family", async () => {
    const user = await signUp(testApp);
    expect((await post("/logout", { refreshToken: user.refreshToken })).statusCode).toBe(200);
    expect((await post("/refresh", { refreshToken: user.refreshToken })).json().error.code).toBe("INVALID_TOKEN");
    expect((await post("/refresh", {})).json().error.code).toBe("UNAUTHORIZED");
  });

  it("rejects an expired refresh token", async () => {
    const user = await signUp(testApp);
    await testApp.app.ctx.db
      .updateTable("refresh_tokens")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("user_id", "=", user.user.id)
      .execute();
    const res = await post("/refresh", { refreshToken: user.refreshToken });
    expect(res.json().error.code).toBe("TOKEN_EXPIRED");
  });

  it("keeps the refresh token in an httpOnly SameSite=Strict cookie for browsers", async () => {
    const user = await signUp(testApp);
    const res = await post("/login", { email: user.email, password: user.password, useCookie: true });
    expect(res.statusCode).toBe(200);
    expect(res.json().refreshToken).toBeUndefined();
    const setCookie = String(res.headers["set-cookie"]);
    expect(setCookie).toMatch(/vtp_refresh=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\/api\/v1\/auth/);
    const cookie = setCookie.split(";")[0];
    const r2 = await testApp.app.inject({ method: "POST", url: "/api/v1/auth/refresh", headers: { cookie }, payload: {} });
    expect(r2.statusCode).toBe(200);
    expect(r2.json().accessToken).toBeTruthy();
    expect(r2.json().refreshToken).toBeUndefined();
    const next = String(r2.headers["set-cookie"]).split(";")[0];
    expect(next).not.toBe(cookie);
    // no body at all works too
    const r3 = await testApp.app.inject({ method: "POST", url: "/api/v1/auth/refresh", headers: { cookie: next } });
    expect(r3.statusCode).toBe(200);
    const out = await testApp.app.inject({ method: "POST", url: "/api/v1/auth/logout", headers: { cookie: String(r3.headers["set-cookie"]).split(";")[0] } });
    expect(out.statusCode).toBe(200);
    expect(String(out.headers["set-cookie"])).toMatch(/vtp_refresh=;/);
  });
});

describe("throttling", () => {
  it("locks an account after repeated failures with Retry-After, even for the right password", async () => {
    const user = await signUp(testApp);
    for (let i = 0; i < 5; i++) expect((await post("/login", { email: user.email, password: "wrong password" })).statusCode).toBe(401);
    const res = await post("/login", { email: user.email, password: user.password });
    expect(res.statusCode).toBe(429);
    expect(res.json().error.code).toBe("TOO_MANY_ATTEMPTS");
    expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
  });

  it("limits failures per IP across accounts", async () => {
    const ip = "203.0.113.9";
    const attempt = (attemptNo: number) =>
      testApp.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        remoteAddress: ip,
        payload: { email: `x${attemptNo}@example.org`, password: "wrong password" },
      });
    for (let i = 0; i < 30; i++) await attempt(i);
    const last = await attempt(30);
    expect(last.statusCode).toBe(429);
    expect(last.json().error.code).toBe("TOO_MANY_ATTEMPTS");
    // another IP is unaffected
    const other = await testApp.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      remoteAddress: "203.0.113.10",
      payload: { email: "x0@example.org", password: "wrong password" },
    });
    expect(other.statusCode).toBe(401);
  });
});

describe("profile and passwords", () => {
  it("updates the name", async () => {
    const user = await signUp(testApp);
    const res = await testApp.app.inject({ method: "PATCH", url: "/api/v1/auth/profile", headers: user.auth, payload: { fullName: "  New Name " } });
    expect(res.statusCode).toBe(200);
    expect(res.json().user.fullName).toBe("New Name");
  });

  it("changes the password and ends other sessions", async () => {
    const user = await signUp(testApp);
    const other = (await post("/login", { email: user.email, password: user.password })).json();
    const wrong = await testApp.app.inject({
      method: "POST",
      url: "/api/v1/auth/change-password",
      headers: user.auth,
      payload: { currentPassword: "not it at all", newPassword: "brand new password" },
    });
    expect(wrong.statusCode).toBe(401);
    const weak = await testApp.app.inject({
      method: "POST",
      url: "/api/v1/auth/change-password",
      headers: user.auth,
      payload: { currentPassword: user.password, newPassword: "short" },
    });
    expect(weak.json().error.code).toBe("WEAK_PASSWORD");
    const ok = await testApp.app.inject({
      method: "POST",
      url: "/api/v1/auth/change-password",
      headers: user.auth,
      payload: { currentPassword: user.password, newPassword: "brand new password" },
    });
    expect(ok.statusCode).toBe(200);
    expect((await post("/refresh", { refreshToken: other.refreshToken })).statusCode).toBe(401);
    expect((await post("/login", { email: user.email, password: user.password })).statusCode).toBe(401);
    expect((await post("/login", { email: user.email, password: "brand new password" })).statusCode).toBe(200);
  });

  it("resets a forgotten password once, and revokes sessions", async () => {
    const user = await signUp(testApp);
    expect((await post("/forgot-password", { email: "nobody-here@example.org" })).statusCode).toBe(202);
    const forgot = await post("/forgot-password", { email: user.email.toUpperCase() });
    expect(forgot.statusCode).toBe(202);
    const token = testApp.mailer.tokenFor(user.email, "/reset-password");
    expect(testApp.mailer.sent.at(-1)!.link).toMatch(/^http:\/\/vtp\.test\/reset-password\?token=/);
    expect((await post("/reset-password", { token, newPassword: "tiny" })).json().error.code).toBe("WEAK_PASSWORD");
    const res = await post("/reset-password", { token, newPassword: "reset password 42" });
    expect(res.statusCode).toBe(200);
    expect((await post("/reset-password", { token, newPassword: "reset password 43" })).json().error.code).toBe("INVALID_TOKEN");
    expect((await post("/refresh", { refreshToken: user.refreshToken })).statusCode).toBe(401);
    expect((await post("/login", { email: user.email, password: "reset password 42" })).statusCode).toBe(200);
  });

  it("expires reset tokens after an hour", async () => {
    const user = await signUp(testApp);
    await post("/forgot-password", { email: user.email });
    const token = testApp.mailer.tokenFor(user.email, "/reset-password");
    await testApp.app.ctx.db
      .updateTable("email_tokens")
      .set({ expires_at: new Date(Date.now() - 1) })
      .where("purpose", "=", "reset_password")
      .where("used_at", "is", null)
      .execute();
    expect((await post("/reset-password", { token, newPassword: "reset password 42" })).json().error.code).toBe("TOKEN_EXPIRED");
  });
});

describe("admin", () => {
  it("lists, searches, filters and pages users for admins only", async () => {
    const admin = await makeAdmin(testApp);
    const student = await signUp(testApp, { fullName: "Zed Findable" });
    const forbidden = await testApp.app.inject({ url: "/api/v1/admin/users", headers: student.auth });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().error.code).toBe("FORBIDDEN");
    const all = await testApp.app.inject({ url: "/api/v1/admin/users?pageSize=2&page=1", headers: admin.auth });
    expect(all.statusCode).toBe(200);
    expect(all.json().users).toHaveLength(2);
    expect(all.json().total).toBeGreaterThan(2);
    const found = await testApp.app.inject({ url: "/api/v1/admin/users?query=zed%20find", headers: admin.auth });
    expect(found.json<AdminUsersResponse>().users.map((u) => u.id)).toEqual([student.user.id]);
    const teachers = await testApp.app.inject({ url: "/api/v1/admin/users?role=teacher&pageSize=100", headers: admin.auth });
    expect(teachers.json<AdminUsersResponse>().users.every((u) => u.role === "teacher")).toBe(true);
    const pct = await testApp.app.inject({ url: "/api/v1/admin/users?query=%25", headers: admin.auth });
    expect(pct.json().users).toHaveLength(0);
  });

  it("changes roles and disables users, killing their sessions at once", async () => {
    const admin = await makeAdmin(testApp);
    const user = await signUp(testApp);
    const promote = await testApp.app.inject({
      method: "PATCH",
      url: `/api/v1/admin/users/${user.user.id}`,
      headers: admin.auth,
      payload: { role: "teacher" },
    });
    expect(promote.json().user.role).toBe("teacher");
    const dis = await testApp.app.inject({ method: "PATCH", url: `/api/v1/admin/users/${user.user.id}`, headers: admin.auth, payload: { disabled: true } });
    expect(dis.json().user.disabled).toBe(true);
    expect((await post("/refresh", { refreshToken: user.refreshToken })).statusCode).toBe(401);
    const prof = await testApp.app.inject({ url: "/api/v1/auth/profile", headers: user.auth });
    expect(prof.json().error.code).toBe("ACCOUNT_DISABLED");
    expect((await post("/login", { email: user.email, password: user.password })).json().error.code).toBe("ACCOUNT_DISABLED");
    await testApp.app.inject({ method: "PATCH", url: `/api/v1/admin/users/${user.user.id}`, headers: admin.auth, payload: { disabled: false } });
    expect((await post("/login", { email: user.email, password: user.password })).statusCode).toBe(200);
  });

  it("refuses bad admin updates", async () => {
    const admin = await makeAdmin(testApp);
    const self = await testApp.app.inject({ method: "PATCH", url: `/api/v1/admin/users/${admin.user.id}`, headers: admin.auth, payload: { disabled: true } });
    expect(self.statusCode).toBe(409);
    const unknown = await testApp.app.inject({
      method: "PATCH",
      url: `/api/v1/admin/users/00000000-0000-0000-0000-000000000000`,
      headers: admin.auth,
      payload: { role: "student" },
    });
    expect(unknown.statusCode).toBe(404);
    const notUuid = await testApp.app.inject({ method: "PATCH", url: `/api/v1/admin/users/abc`, headers: admin.auth, payload: { role: "student" } });
    expect(notUuid.statusCode).toBe(400);
    const empty = await testApp.app.inject({ method: "PATCH", url: `/api/v1/admin/users/${admin.user.id}`, headers: admin.auth, payload: {} });
    expect(empty.statusCode).toBe(400);
    const badRole = await testApp.app.inject({ method: "PATCH", url: `/api/v1/admin/users/${admin.user.id}`, headers: admin.auth, payload: { role: "root" } });
    expect(badRole.statusCode).toBe(400);
  });
});

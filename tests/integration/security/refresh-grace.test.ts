import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { createTestApp, signUp, testConfig, type TestApp } from "../../helpers/app.js";
import { ConfigError } from "../../../apps/server/src/config/index.js";

/**
 * Two tabs refreshing at the same moment both present the same refresh token: within a short
 * grace after its rotation the second one gets a session too, while a replayed older token (or
 * the same one after the grace) still ends the whole family.
 */
let testApp: TestApp;
let off: TestApp;
beforeAll(async () => {
  testApp = await createTestApp();
  off = await createTestApp({ REFRESH_REUSE_GRACE_SECONDS: "0" });
});
afterAll(async () => {
  await testApp?.close();
  await off?.close();
});

const refresh = (app: TestApp, refreshToken: string) => app.app.inject({ method: "POST", url: "/api/v1/auth/refresh", payload: { refreshToken } });
const profile = (app: TestApp, accessToken: string) =>
  app.app.inject({ method: "GET", url: "/api/v1/auth/profile", headers: { authorization: `Bearer ${accessToken}` } });

/** Moves the rotation of `token` `seconds` into the past, as if that much time had gone by. */
async function ageRotation(app: TestApp, token: string, seconds: number) {
  const hash = createHash("sha256").update(token).digest("hex");
  await sql`update refresh_tokens set rotated_at = rotated_at - make_interval(secs => ${seconds}) where token_hash = ${hash}`.execute(app.app.ctx.db);
}

describe("refresh token rotation grace", () => {
  it("two simultaneous refreshes with the same token both get a working session in the same family", async () => {
    const user = await signUp(testApp);
    const [first, second] = await Promise.all([refresh(testApp, user.refreshToken), refresh(testApp, user.refreshToken)]);
    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    const [ja, jb] = [first.json(), second.json()];
    expect(ja.refreshToken).not.toBe(jb.refreshToken);
    expect((await profile(testApp, ja.accessToken)).statusCode).toBe(200);
    expect((await profile(testApp, jb.accessToken)).statusCode).toBe(200);
    // Each tab goes on refreshing with its own token.
    expect((await refresh(testApp, ja.refreshToken)).statusCode).toBe(200);
    expect((await refresh(testApp, jb.refreshToken)).statusCode).toBe(200);
  });

  it("the just-rotated token presented again a moment later gets a session; the tab that rotated it keeps its own", async () => {
    const user = await signUp(testApp);
    const first = (await refresh(testApp, user.refreshToken)).json();
    const again = await refresh(testApp, user.refreshToken);
    expect(again.statusCode).toBe(200);
    expect(again.json().user.id).toBe(user.user.id);
    expect((await refresh(testApp, first.refreshToken)).statusCode).toBe(200);
  });

  it("an older token (not the newest rotation) replayed inside the grace still revokes the family", async () => {
    const user = await signUp(testApp);
    const t2 = (await refresh(testApp, user.refreshToken)).json().refreshToken as string;
    const t3 = (await refresh(testApp, t2)).json().refreshToken as string;
    const replay = await refresh(testApp, user.refreshToken);
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.code).toBe("REFRESH_TOKEN_REUSED");
    expect((await refresh(testApp, t3)).statusCode).toBe(401);
  });

  it("the just-rotated token presented after the grace revokes the family", async () => {
    const user = await signUp(testApp);
    const t2 = (await refresh(testApp, user.refreshToken)).json().refreshToken as string;
    await ageRotation(testApp, user.refreshToken, 31);
    const late = await refresh(testApp, user.refreshToken);
    expect(late.json().error.code).toBe("REFRESH_TOKEN_REUSED");
    expect((await refresh(testApp, t2)).statusCode).toBe(401);
  });

  it("after logout (family revoked) the grace gives nothing", async () => {
    const user = await signUp(testApp);
    const t2 = (await refresh(testApp, user.refreshToken)).json().refreshToken as string;
    await testApp.app.inject({ method: "POST", url: "/api/v1/auth/logout", payload: { refreshToken: t2 } });
    expect((await refresh(testApp, user.refreshToken)).statusCode).toBe(401);
  });

  it("tokens stay hashed at rest: no row holds a token as issued", async () => {
    const user = await signUp(testApp);
    const t2 = (await refresh(testApp, user.refreshToken)).json().refreshToken as string;
    const rows = await testApp.app.ctx.db.selectFrom("refresh_tokens").select("token_hash").where("user_id", "=", user.user.id).execute();
    expect(rows.length).toBe(2);
    for (const r of rows) expect([user.refreshToken, t2]).not.toContain(r.token_hash);
  });

  it("REFRESH_REUSE_GRACE_SECONDS=0 turns the grace off; a bad value is reported at start", async () => {
    const user = await signUp(off);
    expect((await refresh(off, user.refreshToken)).statusCode).toBe(200);
    expect((await refresh(off, user.refreshToken)).json().error.code).toBe("REFRESH_TOKEN_REUSED");
    expect(() => testConfig({ REFRESH_REUSE_GRACE_SECONDS: "soon" })).toThrow(ConfigError);
    expect(() => testConfig({ REFRESH_REUSE_GRACE_SECONDS: "-1" })).toThrow(/REFRESH_REUSE_GRACE_SECONDS/);
    expect(testConfig().auth.refreshReuseGraceSeconds).toBe(30);
  });
});

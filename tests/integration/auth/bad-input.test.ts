import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, makeAdmin, signUp, type TestApp } from "../../helpers/app.js";

let testApp: TestApp;
let auth: Record<string, string>;
let adminAuth: Record<string, string>;
let adminTarget: string;

beforeAll(async () => {
  testApp = await createTestApp();
  auth = (await signUp(testApp)).auth;
  const admin = await makeAdmin(testApp);
  adminAuth = admin.auth;
  adminTarget = (await signUp(testApp)).user.id;
});
afterAll(async () => {
  await testApp?.close();
});

type Route = { method: "POST" | "PATCH" | "GET"; url: () => string; fields: string[]; headers?: () => Record<string, string> };
const routes: Route[] = [
  { method: "POST", url: () => "/api/v1/auth/register", fields: ["email", "password", "fullName", "role"] },
  { method: "POST", url: () => "/api/v1/auth/verify-email", fields: ["token"] },
  { method: "POST", url: () => "/api/v1/auth/resend-verification", fields: ["email"] },
  { method: "POST", url: () => "/api/v1/auth/login", fields: ["email", "password"] },
  { method: "POST", url: () => "/api/v1/auth/refresh", fields: ["refreshToken"] },
  { method: "POST", url: () => "/api/v1/auth/logout", fields: ["refreshToken"] },
  { method: "PATCH", url: () => "/api/v1/auth/profile", fields: ["fullName"], headers: () => auth },
  { method: "POST", url: () => "/api/v1/auth/change-password", fields: ["currentPassword", "newPassword"], headers: () => auth },
  { method: "POST", url: () => "/api/v1/auth/forgot-password", fields: ["email"] },
  { method: "POST", url: () => "/api/v1/auth/reset-password", fields: ["token", "newPassword"] },
  { method: "PATCH", url: () => `/api/v1/admin/users/${adminTarget}`, fields: ["role", "disabled"], headers: () => adminAuth },
];

const huge = "x".repeat(100_000);
const variants: Array<[string, (fields: string[]) => { payload?: string; contentType?: string }]> = [
  ["empty body", () => ({ payload: "", contentType: "application/json" })],
  ["invalid JSON", () => ({ payload: "{not json", contentType: "application/json" })],
  ["JSON array", () => ({ payload: "[]", contentType: "application/json" })],
  ["JSON null", () => ({ payload: "null", contentType: "application/json" })],
  ["JSON string", () => ({ payload: '"hello"', contentType: "application/json" })],
  ["empty object", () => ({ payload: "{}", contentType: "application/json" })],
  ["numbers everywhere", (fields) => ({ payload: JSON.stringify(Object.fromEntries(fields.map((k) => [k, 12345]))), contentType: "application/json" })],
  ["objects everywhere", (fields) => ({ payload: JSON.stringify(Object.fromEntries(fields.map((k) => [k, { a: 1 }]))), contentType: "application/json" })],
  ["nulls everywhere", (fields) => ({ payload: JSON.stringify(Object.fromEntries(fields.map((k) => [k, null]))), contentType: "application/json" })],
  ["arrays everywhere", (fields) => ({ payload: JSON.stringify(Object.fromEntries(fields.map((k) => [k, ["a"]]))), contentType: "application/json" })],
  ["extra-long strings", (fields) => ({ payload: JSON.stringify(Object.fromEntries(fields.map((k) => [k, huge]))), contentType: "application/json" })],
  [
    "unknown extra field",
    (fields) => ({ payload: JSON.stringify({ ...Object.fromEntries(fields.map((k) => [k, "a"])), isAdmin: true }), contentType: "application/json" }),
  ],
  ["oversize body", () => ({ payload: JSON.stringify({ a: "y".repeat(1_100_000) }), contentType: "application/json" })],
  ["form-encoded body", () => ({ payload: "email=a", contentType: "application/x-www-form-urlencoded" })],
];

describe.each(routes)("$method $url", (route) => {
  it.each(variants)("%s → 4xx with a code", async (_name, make) => {
    const { payload, contentType } = make(route.fields);
    const res = await testApp.app.inject({
      method: route.method,
      url: route.url(),
      payload,
      headers: { ...(contentType ? { "content-type": contentType } : {}), ...(route.headers?.() ?? {}) },
    });
    // logout and refresh accept an empty object (token may be in the cookie): they answer 200 / 401
    if (_name === "empty object" && route.url().endsWith("/logout")) {
      expect(res.statusCode).toBe(200);
      return;
    }
    expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
    expect(res.statusCode, res.body).toBeLessThan(500);
    const body = res.json();
    expect(body.error.code).toMatch(/^[A-Z_]+$/);
    expect(typeof body.error.message).toBe("string");
  });
});

describe("query strings", () => {
  it.each([["page=0"], ["page=abc"], ["pageSize=1000"], ["role=root"], [`query=${"q".repeat(500)}`], ["unknown=1"]])(
    "GET /api/v1/admin/users?%s → 400",
    async (qs) => {
      const res = await testApp.app.inject({ url: `/api/v1/admin/users?${qs}`, headers: adminAuth });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.code).toBe("VALIDATION_FAILED");
    },
  );
});

describe("the app still works afterwards", () => {
  it("answers health and signs in", async () => {
    expect((await testApp.app.inject({ url: "/health" })).statusCode).toBe(200);
    const user = await signUp(testApp);
    expect(user.accessToken).toBeTruthy();
  });
});

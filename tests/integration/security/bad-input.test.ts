import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, makeAdmin, signUp, type TestApp } from "../../helpers/app.js";
import { HOSTILE_STRINGS, HOSTILE_VALUES, UNKNOWN_UUID, accepts, fieldPaths, validValue, withField, type JsonSchema } from "./hostile.js";

/**
 * Bad input over REST, two ways: the probe's findings one by one (each answered 400
 * VALIDATION_FAILED naming the field), and a table driven by the running app's OpenAPI
 * document: every route, every path, query and body field, many hostile values, as an admin
 * (so that authorization does not hide validation). Never a 5xx, always an error code, and a
 * value the route's schema refuses is a 4xx. A new route is covered without touching this file.
 */

let testApp: TestApp;
let adminAuth: Record<string, string>;
let room: { id: string; code: string };
let targetUserId: string;

beforeAll(async () => {
  testApp = await createTestApp({ VTP_CHAT_RATE_LIMIT: "100000/1" });
  adminAuth = (await makeAdmin(testApp)).auth;
  targetUserId = (await signUp(testApp)).user.id;
  const created = await testApp.app.inject({ method: "POST", url: "/api/v1/rooms", headers: adminAuth, payload: { title: "Fixture" } });
  room = created.json().room;
});
afterAll(async () => {
  await testApp?.close();
});

async function expect400(method: "GET" | "POST" | "PATCH", url: string, payload: unknown, field: string, headers: Record<string, string> = adminAuth) {
  const res = await testApp.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
  expect(res.statusCode, `${method} ${url} ${JSON.stringify(payload)?.slice(0, 80)}: ${res.body.slice(0, 200)}`).toBe(400);
  const body = res.json();
  expect(body.error.code).toBe("VALIDATION_FAILED");
  expect(JSON.stringify(body.error.details ?? body.error.message)).toContain(field);
  return body.error;
}

describe("the probe's findings", () => {
  const NUL = "a\u0000b";

  it("a NUL or another control character in a stored or queried string is 400 VALIDATION_FAILED with the field", async () => {
    const err = await expect400("POST", "/api/v1/auth/login", { email: NUL, password: "x" }, "email");
    expect(err.details[0].problem).toMatch(/control characters/);
    await expect400(
      "POST",
      "/api/v1/auth/register",
      { email: "nul@school.test", password: "correct horse battery", fullName: NUL, role: "student" },
      "fullName",
      {},
    );
    await expect400("POST", "/api/v1/auth/forgot-password", { email: NUL }, "email", {});
    await expect400("POST", "/api/v1/auth/resend-verification", { email: NUL }, "email", {});
    await expect400("PATCH", "/api/v1/auth/profile", { fullName: "Ada\u0007" }, "fullName");
    await expect400("POST", "/api/v1/rooms", { title: NUL }, "title");
    await expect400("POST", "/api/v1/rooms", { title: "Maths", description: `line one\n${NUL}` }, "description");
    await expect400("PATCH", `/api/v1/rooms/${room.id}`, { title: "Maths\u001b[31m" }, "title");
    await expect400("PATCH", `/api/v1/rooms/${room.id}`, { description: NUL }, "description");
    await expect400("POST", "/api/v1/signalling/room/create", { title: NUL }, "title");
    await expect400("PATCH", `/api/v1/recordings/${UNKNOWN_UUID}`, { title: NUL }, "title");
    await expect400("GET", "/api/v1/admin/users?query=%00", undefined, "query");
    // Multi-line text keeps its line breaks and tabs.
    const ok = await testApp.app.inject({
      method: "PATCH",
      url: `/api/v1/rooms/${room.id}`,
      headers: adminAuth,
      payload: { description: "line one\r\n\tline two" },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().room.description).toBe("line one\r\n\tline two");
  });

  it("a malformed id is 400 VALIDATION_FAILED wherever it is (path, query, body), an unknown one 404", async () => {
    await expect400("GET", "/api/v1/recordings?roomId=abc", undefined, "roomId");
    await expect400("POST", "/api/v1/rooms/not-a-uuid/recording/markers", { label: "x" }, "id");
    await expect400("POST", "/api/v1/recordings/start", { roomId: "abc" }, "roomId");
    await expect400("GET", "/api/v1/recordings/abc", undefined, "id");
    await expect400("GET", "/api/v1/recordings/abc/download", undefined, "id");
    await expect400("GET", `/api/v1/recordings/urn:uuid:${UNKNOWN_UUID}`, undefined, "id");
    await expect400("PATCH", "/api/v1/admin/users/abc", { role: "student" }, "id");
    await expect400("GET", "/api/v1/signalling/room/stats?room_id=abc", undefined, "room_id");
    const unknown = await testApp.app.inject({ url: `/api/v1/recordings/${UNKNOWN_UUID}`, headers: adminAuth });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe("RECORDING_NOT_FOUND");
    expect((await testApp.app.inject({ url: `/api/v1/recordings?roomId=${UNKNOWN_UUID}`, headers: adminAuth })).statusCode).toBe(200);
  });

  it("a date-time outside the years 2000–9999, not on the calendar, or on a leap second is 400 VALIDATION_FAILED", async () => {
    for (const scheduledStart of [
      "0000-01-01T00:00:00Z",
      "2016-12-31T23:59:60Z",
      "2021-02-29T10:00:00Z",
      "1999-12-31T23:59:59Z",
      "+275760-09-13T00:00:00Z",
      "2030-01-01T25:00:00Z",
    ]) {
      const err = await expect400("POST", "/api/v1/rooms", { title: "Maths", scheduledStart }, "scheduledStart");
      expect(err.message).toMatch(/2000–9999/);
      await expect400("PATCH", `/api/v1/rooms/${room.id}`, { scheduledStart }, "scheduledStart");
      await expect400("POST", "/api/v1/signalling/room/create", { title: "Maths", scheduledStart }, "scheduledStart");
    }
    for (const scheduledStart of ["2024-02-29T10:00:00Z", "2030-09-01T08:30:00.123+02:00", "9999-12-31T23:59:59Z"]) {
      const res = await testApp.app.inject({ method: "PATCH", url: `/api/v1/rooms/${room.id}`, headers: adminAuth, payload: { scheduledStart } });
      expect(res.statusCode, `${scheduledStart}: ${res.body}`).toBe(200);
      expect(Date.parse(res.json().room.scheduledStart)).toBe(Date.parse(scheduledStart));
    }
  });
});

// ---------------------------------------------------------------- the table from the OpenAPI document

type Parameter = { in: "path" | "query" | "header"; name: string; schema: JsonSchema; required?: boolean };
type Operation = { method: string; path: string; parameters: Parameter[]; body?: JsonSchema };

/** Values of path and query parameters and body fields by name, so the hostile one is the only bad one. */
function knownValues(path: string): Record<string, unknown> {
  return {
    id: path.startsWith("/api/v1/rooms/") ? room.id : path.startsWith("/api/v1/admin/users/") ? targetUserId : UNKNOWN_UUID,
    roomId: room.id,
    room_id: room.id,
    code: room.code,
    token: "no-such-share-token",
    "*": "index.m3u8",
  };
}

async function operations(): Promise<Operation[]> {
  type OpenApiOperation = { parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema?: JsonSchema }> } };
  const doc = (await testApp.app.inject({ url: "/api/openapi.json" })).json<{ paths: Record<string, Record<string, OpenApiOperation>> }>();
  const out: Operation[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      out.push({ method: method.toUpperCase(), path, parameters: op.parameters ?? [], body: op.requestBody?.content?.["application/json"]?.schema });
    }
  }
  return out;
}

function queryString(values: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(item))}`);
    else if (value && typeof value === "object")
      for (const [sk, sv] of Object.entries(value)) parts.push(`${encodeURIComponent(`${key}[${sk}]`)}=${encodeURIComponent(String(sv))}`);
    else parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  }
  return parts.length ? `?${parts.join("&")}` : "";
}

type Case = { label: string; url: string; payload?: unknown; refused: boolean };

/** Every hostile variant of one operation: one field at a time, the others valid. */
function casesOf(op: Operation): Case[] {
  const known = knownValues(op.path);
  const pathParams = op.parameters.filter((p) => p.in === "path");
  const queryParams = op.parameters.filter((p) => p.in === "query");
  const validPath = Object.fromEntries(pathParams.map((p) => [p.name, validValue(p.schema, known, p.name)]));
  const validQuery = Object.fromEntries(queryParams.filter((p) => p.required).map((p) => [p.name, validValue(p.schema, known, p.name)]));
  const validBody = op.body ? (validValue(op.body, known) as Record<string, unknown>) : undefined;
  const url = (pathValues: Record<string, unknown>, query: Record<string, unknown>) =>
    op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(String(pathValues[name]))) + queryString(query);
  const cases: Case[] = [];
  for (const p of pathParams) {
    for (const [label, value] of HOSTILE_STRINGS) {
      cases.push({
        label: `path ${p.name}: ${label}`,
        url: url({ ...validPath, [p.name]: value }, validQuery),
        payload: validBody,
        refused: !accepts(p.schema, value),
      });
    }
  }
  for (const p of queryParams) {
    for (const [label, value] of HOSTILE_VALUES) {
      if (value === null || value === "") continue;
      const asText = typeof value === "string" ? value : undefined;
      cases.push({
        label: `query ${p.name}: ${label}`,
        url: url(validPath, { ...validQuery, [p.name]: value }),
        payload: validBody,
        refused: asText !== undefined && p.schema.type === "string" && !accepts(p.schema, asText),
      });
    }
  }
  if (op.body && validBody) {
    for (const field of fieldPaths(op.body)) {
      for (const [label, value] of HOSTILE_VALUES) {
        const payload = withField(validBody, op.body, field, value, known);
        cases.push({ label: `body ${field.join(".")}: ${label}`, url: url(validPath, validQuery), payload, refused: !accepts(op.body, payload) });
      }
    }
    for (const [label, payload] of [
      ["null body", null],
      ["array body", [validBody]],
      ["string body", "hello"],
    ] as const) {
      cases.push({ label, url: url(validPath, validQuery), payload: JSON.stringify(payload), refused: true });
    }
  }
  return cases;
}

describe("every route of /api/openapi.json, every field, hostile values", () => {
  it("is never a 5xx, always has an error code, and a value the schema refuses is a 4xx", async () => {
    const ops = await operations();
    expect(ops.length).toBeGreaterThan(40);
    const failures: string[] = [];
    let sent = 0;
    for (const op of ops) {
      for (const c of casesOf(op)) {
        const res = await testApp.app.inject({
          method: op.method as "GET",
          url: c.url,
          headers: { ...adminAuth, ...(c.payload !== undefined ? { "content-type": "application/json" } : {}) },
          ...(c.payload !== undefined ? { payload: typeof c.payload === "string" ? c.payload : JSON.stringify(c.payload) } : {}),
        });
        sent++;
        const where = `${op.method} ${op.path} ${c.label} → ${res.statusCode} ${res.body.slice(0, 160)}`;
        if (res.statusCode >= 500) failures.push(where);
        else if (res.statusCode >= 400 && typeof errorCodeOf(res.body) !== "string") failures.push(`${where} (no error code)`);
        else if (c.refused && res.statusCode < 400) failures.push(`${where} (the schema refuses this value)`);
      }
    }
    expect(failures, failures.slice(0, 30).join("\n")).toEqual([]);
    expect(sent).toBeGreaterThan(1000);
    // Still serving.
    expect((await testApp.app.inject({ url: "/health" })).statusCode).toBe(200);
  });
});

/** The `error.code` of a JSON body, if it is JSON and has one. */
function errorCodeOf(text: string): unknown {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown } } | null;
    return body?.error?.code;
  } catch {
    return undefined;
  }
}

describe("the hostile strings", () => {
  it("cover control characters, ids and dates", () => {
    const labels = HOSTILE_STRINGS.map(([label]) => label);
    expect(labels).toEqual(expect.arrayContaining(["NUL", "not a UUID", "year 0", "leap second"]));
  });
});

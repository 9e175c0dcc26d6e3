import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_EVENT_NAMES } from "@vtp/protocol";
import type { TestApp } from "../../helpers/app.js";
import { listeningApp, TestClient } from "../rooms/helpers.js";
import { makeClassA, makePeople, ROLES, SOCKET_ROLES, type ClassA, type People } from "./authz-fixtures.js";
import { DENIED_CODES, EVENTS, ROUTES, type Ctx, type Outcome } from "./authz-matrix-table.js";

/**
 * The authorization matrix, built by construction: every route of the running app's
 * `/api/openapi.json` and every client event of the protocol's `ClientEvents` is tried as every
 * role, each time against a fresh class, and the outcome compared with the table in
 * authz-matrix-table.ts. A route or event without a row fails the test, so a new one must be given
 * its expectations.
 * The outcome letters (`o` allowed, `d` denied, `p` past authorization) and the order of the
 * roles in a row are explained there.
 */

function httpOutcome(status: number): Outcome | "5xx" {
  if (status >= 200 && status < 300) return "o";
  if (status === 401 || status === 403 || status === 404) return "d";
  if (status >= 500 && status !== 503) return "5xx";
  return "p";
}

let testApp: TestApp;
let url: string;
let people: People;
let openapi: { paths: Record<string, Record<string, unknown>> };

beforeAll(async () => {
  ({ t: testApp, url } = await listeningApp({ MEDIA_WORKERS: "1", RTC_MIN_PORT: "47400", RTC_MAX_PORT: "47599" }));
  people = await makePeople(testApp);
  openapi = (await testApp.app.inject({ url: "/api/openapi.json" })).json();
}, 60_000);
afterAll(async () => {
  await testApp?.close();
});

function operations(): string[] {
  const ops: string[] = [];
  for (const [path, methods] of Object.entries(openapi.paths))
    for (const m of Object.keys(methods)) if (["get", "post", "put", "patch", "delete"].includes(m)) ops.push(`${m.toUpperCase()} ${path}`);
  return ops;
}

function concretePath(template: string, classA: ClassA): string {
  return template
    .replace(/\/admin\/users\/\{id\}/, `/admin/users/${people.target.user.id}`)
    .replace(/\/rooms\/\{id\}/, `/rooms/${classA.roomId}`)
    .replace(/\/recordings\/\{id\}/, `/recordings/${classA.recordingId}`)
    .replace("{pollId}", classA.draftPollId)
    .replace("{quizId}", classA.quizId)
    .replace("{materialId}", classA.materialId)
    .replace("{code}", classA.code)
    .replace("{token}", classA.shareToken)
    .replace("{linkId}", "00000000-0000-4000-8000-000000000000")
    .replace("{key}", "0".repeat(40))
    .replace("{*}", "index.m3u8");
}

describe("authorization matrix", () => {
  it("every route of /api/openapi.json and every client event has a row; every row names a real route or event", () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThan(40);
    expect(
      ops.filter((op) => !(op in ROUTES)),
      "routes without a row in ROUTES",
    ).toEqual([]);
    expect(
      Object.keys(ROUTES).filter((k) => !ops.includes(k)),
      "rows of ROUTES that are not routes",
    ).toEqual([]);
    for (const [route, row] of Object.entries(ROUTES)) expect(row.expect, route).toMatch(new RegExp(`^[odp]{${ROLES.length}}$`));
    expect(
      CLIENT_EVENT_NAMES.filter((e) => !(e in EVENTS)),
      "events without a row in EVENTS",
    ).toEqual([]);
    for (const [event, row] of Object.entries(EVENTS)) expect(row.expect, event).toMatch(new RegExp(`^[odp]{${SOCKET_ROLES.length}}$`));
  });

  it("route × role", async () => {
    const wrong: string[] = [];
    for (const op of operations()) {
      const row = ROUTES[op];
      if (!row) continue;
      const [method, template] = op.split(" ");
      for (const [i, role] of ROLES.entries()) {
        const classA = await makeClassA(testApp, url, people, undefined, row.recording);
        try {
          const ctx: Ctx = { a: classA, people, role, t: testApp };
          const query = row.query ? `?${new URLSearchParams(row.query(ctx))}` : "";
          const body = row.body ? await row.body(ctx) : undefined;
          const headers = { ...(role === "anonymous" ? {} : people.actors[role].auth), ...(row.contentType ? { "content-type": row.contentType } : {}) };
          const res = await testApp.app.inject({
            method: method as "GET",
            url: concretePath(template, classA) + query,
            headers,
            ...(body !== undefined ? { payload: body as object } : {}),
          });
          const got = httpOutcome(res.statusCode);
          if (got !== row.expect[i]) wrong.push(`${op} as ${role}: expected ${row.expect[i]}, got ${got} (${res.statusCode} ${res.body.slice(0, 120)})`);
        } finally {
          await classA.close();
        }
      }
    }
    expect(wrong).toEqual([]);
  }, 600_000);

  it("event × role (anonymous and disabled accounts are refused at the handshake)", async () => {
    for (const [role, token, code] of [
      ["anonymous", undefined, "UNAUTHORIZED"],
      ["disabled", people.actors.disabled.accessToken, "ACCOUNT_DISABLED"],
    ] as const) {
      const err = await TestClient.connect(url, token).then(
        (client) => {
          client.close();
          return "connected";
        },
        (error: { data?: { code?: string } }) => error.data?.code,
      );
      expect(err, role).toBe(code);
    }
    const wrong: string[] = [];
    for (const event of CLIENT_EVENT_NAMES) {
      const row = EVENTS[event];
      for (const [i, role] of SOCKET_ROLES.entries()) {
        const classA = await makeClassA(testApp, url, people, role, row.recording);
        try {
          const ack = await classA.sockets[role]!.emitRaw(event, row.payload({ a: classA, people, role, t: testApp }));
          const got: Outcome | "500" = ack.ok ? "o" : ack.error.code === "INTERNAL_ERROR" ? "500" : DENIED_CODES.has(ack.error.code) ? "d" : "p";
          if (got !== row.expect[i]) wrong.push(`${event} as ${role}: expected ${row.expect[i]}, got ${got} (${ack.ok ? "ok" : ack.error.code})`);
        } finally {
          await classA.close();
        }
      }
    }
    expect(wrong).toEqual([]);
  }, 600_000);
});

import { afterAll, describe, expect, it } from "vitest";
import { CLIENT_EVENT_NAMES, ClientEvents, type ClientEventName } from "@vtp/protocol";
import type { TestApp } from "../../helpers/app.js";
import { listeningApp, person, TestClient } from "../rooms/helpers.js";

/**
 * The socket events of the protocol's map (packages/protocol/src/events.ts) and the server's
 * handlers: one handler per event of the map, none outside it, and every payload checked
 * against the map's schema before a handler runs.
 */

const apps: TestApp[] = [];
const clients: TestClient[] = [];
afterAll(async () => {
  for (const c of clients) c.close();
  for (const t of apps) await t.close();
});

async function app(env: Record<string, string> = {}) {
  const started = await listeningApp(env);
  apps.push(started.t);
  return started;
}

/**
 * For each event: payloads its schema refuses, built from the schema (a field of the wrong type, an
 * unknown field, not an object). A payload that is one of several shapes (`anyOf`, e.g.
 * `board-pointer`) gives the fields of every shape.
 */
function badPayloads(event: ClientEventName): unknown[] {
  const schema = ClientEvents[event].payload as { properties?: Record<string, unknown>; anyOf?: { properties?: Record<string, unknown> }[] };
  const shapes = schema.anyOf ?? [schema];
  const fields = [...new Set(shapes.flatMap((shape) => Object.keys(shape.properties ?? {})))];
  expect(fields.length, `${event}: a payload schema with fields`).toBeGreaterThan(0);
  return [null, "text", [1], { notAField: 1 }, ...fields.map((f) => ({ [f]: [[]] }))];
}

describe("socket events of the protocol", () => {
  it("every client event of the map has a handler on the server, with media on and off, and none other", async () => {
    const { t: testApp } = await app();
    expect([...testApp.app.ctx.signalling.definedEvents()].sort()).toEqual([...CLIENT_EVENT_NAMES].sort());
    const off = await app({ VTP_MEDIA: "off" });
    expect([...off.t.app.ctx.signalling.definedEvents()].sort()).toEqual([...CLIENT_EVENT_NAMES].sort());
  });

  it("defineHandler refuses an event outside the protocol and a second handler for an event", async () => {
    const sig = apps[0]!.app.ctx.signalling;
    // @ts-expect-error not an event of the protocol
    expect(() => sig.defineHandler("no-such-event", async () => {})).toThrow(/not an event of the protocol/);
    expect(() => sig.defineHandler("raise-hand", async () => ({ position: 1 }))).toThrow(/already has a handler/);
  });

  it("a bad payload to each event of the map is answered VALIDATION_FAILED", async () => {
    const { t: testApp, url } = await app({ VTP_SOCKET_EVENT_RATE: "1000/5000" });
    const someone = await person(testApp, "teacher", "Someone");
    const client = await TestClient.connect(url, someone.accessToken);
    clients.push(client);
    for (const event of CLIENT_EVENT_NAMES) {
      for (const payload of badPayloads(event)) {
        const ack = await client.emitRaw(event, payload);
        expect(ack, `${event} ${JSON.stringify(payload)}`).toMatchObject({ ok: false, error: { code: "VALIDATION_FAILED" } });
      }
    }
    // A valid payload gets past validation (to the handler: not in a room yet, or no media here).
    expect((await client.emit("raise-hand", {})).error.code).toBe("NOT_IN_ROOM");
  });
});

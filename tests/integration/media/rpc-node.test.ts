import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMediaNode, type MediaNodeHandle } from "../../../apps/server/src/media/index.js";
import { MediaNodeClient } from "../../../apps/server/src/media/node/MediaNodeClient.js";
import { MEDIA_METHODS, describeMethod } from "../../../apps/server/src/media/rpc/table.js";
import type { MediaMethod } from "../../../apps/server/src/media/MediaService.js";
import { SAMPLES, captureLogger, recordingMedia } from "./helpers/rpc-samples.js";
import { TEST_SECRET } from "./helpers/modes.js";

/**
 * The media node's routes and the node client, both derived from the RPC table, checked method
 * by method from the table itself: a method added to it is covered without a new test. The node
 * serves a recording media service, so what the client sent arrives as the arguments it gave.
 */
describe("media node routes and client from the RPC table", () => {
  let node: MediaNodeHandle;
  let client: MediaNodeClient;
  const recorded = recordingMedia();
  const clientLog = captureLogger();

  beforeAll(async () => {
    node = await runMediaNode({ host: "127.0.0.1", port: 0, secret: TEST_SECRET, media: recorded.media, log: captureLogger().log });
    client = new MediaNodeClient(node.url, TEST_SECRET, clientLog.log);
    await client.eventsReady;
  });
  afterAll(async () => {
    await client?.close();
    await node?.close();
  });

  const send = (verb: string, path: string, body?: string) =>
    fetch(node.url + path, {
      method: verb,
      headers: { "x-media-secret": TEST_SECRET, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body,
    });
  /** The route of `method` with the sample's path parameters, or `bad` in place of `badName`. */
  function pathOf(method: MediaMethod, badName?: string, bad?: string): string {
    const params = describeMethod(method).params;
    return describeMethod(method).http.path.replace(/:(\w+)/g, (_, name: string) => {
      if (name === badName) return encodeURIComponent(bad!);
      return encodeURIComponent(String(SAMPLES[method].args[params.findIndex((p) => p.name === name)]));
    });
  }
  /** The body the client would send for the sample call, as an object. */
  function bodyOf(method: MediaMethod): Record<string, unknown> {
    const body: Record<string, unknown> = {};
    const path = describeMethod(method).http.path;
    describeMethod(method).params.forEach((p, i) => {
      if (path.includes(`:${p.name}`)) return;
      const value = SAMPLES[method].args[i];
      if (p.spread) Object.assign(body, value);
      else body[p.name] = value;
    });
    return body;
  }

  it("the client performs every method of the table through the node and gets its result", async () => {
    for (const method of MEDIA_METHODS) {
      recorded.calls.length = 0;
      const result = await (client[method] as (...a: unknown[]) => Promise<unknown>)(...SAMPLES[method].args);
      expect(result, method).toEqual(SAMPLES[method].result);
      expect(recorded.calls, method).toEqual([{ method, args: SAMPLES[method].args }]);
    }
  });

  it("leaves out optional arguments the caller left out", async () => {
    recorded.calls.length = 0;
    await client.closeProducer("r-1", "prod-1");
    await client.closeProducersOf("r-1", "teacher");
    expect(recorded.calls).toEqual([
      { method: "closeProducer", args: ["r-1", "prod-1"] },
      { method: "closeProducersOf", args: ["r-1", "teacher"] },
    ]);
  });

  it("answers 400 with the parameter's code for a bad value in any parameter of any route", async () => {
    recorded.calls.length = 0;
    let checked = 0;
    for (const method of MEDIA_METHODS) {
      const { verb, path } = describeMethod(method).http;
      for (const param of describeMethod(method).params) {
        const expected = { error: { code: param.code ?? "VALIDATION_FAILED", message: expect.any(String), details: expect.any(Array) } };
        if (path.includes(`:${param.name}`)) {
          const res = await send(verb, pathOf(method, param.name, "bad id!"), verb === "POST" ? JSON.stringify(bodyOf(method)) : undefined);
          expect(res.status, `${method} :${param.name}`).toBe(400);
          expect(await res.json(), `${method} :${param.name}`).toEqual(expected);
          checked++;
          continue;
        }
        const body = bodyOf(method);
        const fields = param.spread
          ? Object.keys(body).filter((k) => k in ((param.schema as unknown as { properties?: object }).properties ?? {}))
          : [param.name];
        for (const field of fields) {
          const res = await send(verb, pathOf(method), JSON.stringify({ ...body, [field]: 12345 }));
          expect(res.status, `${method} ${field}`).toBe(400);
          expect(await res.json(), `${method} ${field}`).toEqual(expected);
          checked++;
        }
      }
      if (verb === "POST") {
        for (const notAnObject of ["[1,2]", '"text"', "7"]) {
          const res = await send(verb, pathOf(method), notAnObject);
          expect(res.status, `${method} body ${notAnObject}`).toBe(400);
          expect(((await res.json()) as { error: { code: string } }).error.code).toBe("VALIDATION_FAILED");
        }
        const broken = await send(verb, pathOf(method), "{not json");
        expect(broken.status).toBe(400);
        expect(((await broken.json()) as { error: { code: string } }).error.code).toBe("INVALID_JSON");
      }
    }
    expect(checked).toBeGreaterThan(25);
    expect(recorded.calls).toEqual([]);
  });

  it("reports a required body field that is missing by name", async () => {
    const res = await send("POST", "/rooms/r-1/transports", JSON.stringify({ peerId: "p-1" }));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: "VALIDATION_FAILED", message: "createTransport: direction is required", details: [{ field: "direction", problem: "is required" }] },
    });
  });

  it("keeps the node's own health field and the JSON shapes of the routes", async () => {
    const health = (await (await send("GET", "/health")).json()) as Record<string, unknown>;
    expect(health).toEqual({ ...SAMPLES.health.result, bootId: expect.any(String) });
    expect(await client.health()).toEqual(SAMPLES.health.result);
    expect(await (await send("GET", "/rooms")).json()).toEqual({ rooms: SAMPLES.listRooms.result });
    expect(await (await send("POST", "/rooms/r-1/peers/teacher/producers/close", "{}")).json()).toEqual({ producerIds: SAMPLES.closeProducersOf.result });
    expect(await (await send("POST", "/rooms/r-1/consumers/c-1/keyframe", "{}")).json()).toEqual({ ok: true });
  });
});

describe("media node client and a node that answers nonsense", () => {
  let node: MediaNodeHandle;
  let client: MediaNodeClient;
  const clientLog = captureLogger();
  beforeAll(async () => {
    const { media } = recordingMedia({ stats: { workers: "many" }, getRoom: null });
    node = await runMediaNode({ host: "127.0.0.1", port: 0, secret: TEST_SECRET, media, log: captureLogger().log });
    client = new MediaNodeClient(node.url, TEST_SECRET, clientLog.log);
  });
  afterAll(async () => {
    await client?.close();
    await node?.close();
  });

  it("refuses a result that does not match the method's schema (502 MEDIA_UNAVAILABLE) and logs it", async () => {
    await expect(client.stats()).rejects.toEqual(expect.objectContaining({ status: 502, code: "MEDIA_UNAVAILABLE" }));
    await expect(client.getRoom("r-1")).rejects.toEqual(expect.objectContaining({ status: 502, code: "MEDIA_UNAVAILABLE" }));
    expect(clientLog.records.filter((r) => r.level === "error").map((r) => r.obj.method)).toEqual(["stats", "getRoom"]);
  });
});

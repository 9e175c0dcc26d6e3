import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mediaSuite } from "./helpers/suite.js";
import { startNodeProcess, startRemote, TEST_SECRET } from "./helpers/modes.js";
import { RemoteMediaService } from "../../../apps/server/src/media/node/RemoteMediaService.js";

/** The JSON body of an error answer. */
type ErrorAnswer = { error: { code: string } };

mediaSuite("media over HTTP to a standalone media node (MEDIA_NODES)", () => startRemote(42000));

describe("media node HTTP surface", () => {
  let node: Awaited<ReturnType<typeof startNodeProcess>>;
  beforeAll(async () => {
    node = await startNodeProcess(42500);
  });
  afterAll(async () => {
    await node?.stop();
  });
  const call = (path: string, init: RequestInit & { secret?: string | null } = {}) =>
    fetch(node.url + path, {
      ...init,
      headers: {
        ...(init.secret === null ? {} : { "x-media-secret": init.secret ?? TEST_SECRET }),
        ...(init.body ? { "content-type": "application/json" } : {}),
      },
    });

  it("requires the shared secret on every route, with a JSON error", async () => {
    for (const secret of [null, "wrong-secret-wrong-secret!!"]) {
      for (const path of ["/health", "/rooms", "/events", "/rooms/x/peers"]) {
        const res = await call(path, { secret, method: path.endsWith("peers") ? "POST" : "GET", body: path.endsWith("peers") ? "{}" : undefined });
        expect(res.status).toBe(401);
        expect(await res.json()).toEqual({ error: { code: "UNAUTHORIZED", message: expect.any(String) } });
      }
    }
    const ok = await call("/health");
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ok: true, workers: 1 });
  });

  it("answers malformed bodies, unknown rooms and unknown routes with JSON errors", async () => {
    const bad = await call("/rooms/r1/peers", { method: "POST", body: "{not json" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ErrorAnswer).error.code).toBe("INVALID_JSON");
    const missing = await call("/rooms/r1/peers", { method: "POST", body: JSON.stringify({ peerId: "p1" }) });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as ErrorAnswer).error.code).toBe("VALIDATION_FAILED");
    const room = await call("/rooms/none");
    expect(room.status).toBe(404);
    expect(((await room.json()) as ErrorAnswer).error.code).toBe("ROOM_NOT_FOUND");
    const route = await call("/nope");
    expect(route.status).toBe(404);
    expect(((await route.json()) as ErrorAnswer).error.code).toBe("NOT_FOUND");
    const joined = await call("/rooms/r1/peers", { method: "POST", body: JSON.stringify({ peerId: "p1", userId: "u1" }) });
    expect(joined.status).toBe(200);
    expect(await joined.json()).toEqual({ roomId: "r1", peerId: "p1", producers: [] });
    const left = await call("/rooms/r1/peers/p1/leave", { method: "POST", body: "{}" });
    expect(left.status).toBe(200);
    expect((await call("/rooms")).status).toBe(200);
  });
});

describe("two app servers sharing two media nodes", () => {
  let nodes: Awaited<ReturnType<typeof startNodeProcess>>[] = [];
  let remoteA: RemoteMediaService, remoteB: RemoteMediaService;
  beforeAll(async () => {
    nodes = await Promise.all([startNodeProcess(57000), startNodeProcess(58000)]);
    // The two servers list the nodes in opposite orders: placement must not depend on it.
    remoteA = await RemoteMediaService.connect([nodes[0].url, nodes[1].url], TEST_SECRET);
    remoteB = await RemoteMediaService.connect([nodes[1].url, nodes[0].url], TEST_SECRET);
  }, 60_000);
  afterAll(async () => {
    await remoteA?.close();
    await remoteB?.close();
    for (const n of nodes) await n.stop();
  });

  it("put a new room on one node when both place it at the same moment, and spread rooms over the nodes", async () => {
    const rooms = Array.from({ length: 20 }, (_, i) => `hrw-room-${i}`);
    await Promise.all(rooms.flatMap((r) => [remoteA.joinPeer(r, "teacher", "u-t"), remoteB.joinPeer(r, "student", "u-s")]));
    const where = new Map<string, number>();
    for (const r of rooms) {
      const room = await remoteA.getRoom(r);
      expect(room.peers, `room ${r}: both peers on one node`).toBe(2);
      const holders = await Promise.all(
        nodes.map((n) => fetch(`${n.url}/rooms/${r}`, { headers: { "x-media-secret": TEST_SECRET } }).then((res) => res.status)),
      );
      expect(holders.filter((s) => s === 200)).toHaveLength(1);
      const idx = holders.indexOf(200);
      where.set(r, idx);
    }
    const onFirst = [...where.values()].filter((i) => i === 0).length;
    expect(onFirst).toBeGreaterThan(0);
    expect(onFirst).toBeLessThan(rooms.length);
    for (const r of rooms) {
      await remoteA.leavePeer(r, "teacher");
      await remoteB.leavePeer(r, "student");
    }
  });
});

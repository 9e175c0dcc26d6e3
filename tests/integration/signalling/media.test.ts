import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MediaEventListener, MediaService } from "../../../apps/server/src/media/index.js";
import type { TestApp } from "../../helpers/app.js";
import { createRoom, joined, listeningApp, person, type TestClient, type Person } from "../rooms/helpers.js";

/** A MediaService that records calls and lets the test push media events. */
class FakeMedia {
  calls: [string, ...unknown[]][] = [];
  listeners: MediaEventListener[] = [];
  service(): MediaService {
    const rec =
      (name: string, result: unknown = undefined) =>
      async (...args: unknown[]) => {
        this.calls.push([name, ...args]);
        return typeof result === "function" ? (result as (...a: unknown[]) => unknown)(...args) : result;
      };
    return {
      health: rec("health", { ok: true, workers: 1, rooms: 0, peers: 0 }),
      listRooms: rec("listRooms", []),
      getRoom: rec("getRoom"),
      joinPeer: rec("joinPeer", (roomId: string, peerId: string) => ({ roomId, peerId, producers: [] })),
      leavePeer: rec("leavePeer"),
      createTransport: rec("createTransport", (_r: string, _p: string, direction: string) => ({ transportId: `t-${direction}`, direction })),
      connectTransport: rec("connectTransport", (_r: string, _p: string, transportId: string) => ({
        transportId,
        answer: { type: "answer", sdp: "v=0 answer" },
      })),
      produce: rec("produce", { producerId: "prod-1" }),
      consume: rec("consume"),
      closeProducer: rec("closeProducer"),
      closeConsumer: rec("closeConsumer"),
      closeProducersOf: rec("closeProducersOf", []),
      setPreferredLayer: rec("setPreferredLayer"),
      requestKeyFrame: rec("requestKeyFrame"),
      stats: rec("stats"),
      onEvent: (l: MediaEventListener) => {
        this.listeners.push(l);
        return () => (this.listeners = this.listeners.filter((x) => x !== l));
      },
      close: rec("close"),
    } as MediaService;
  }
  emit(e: Parameters<MediaEventListener>[0]) {
    for (const l of this.listeners) l(e);
  }
  called(name: string, pred: (args: unknown[]) => boolean = () => true) {
    return this.calls.some(([n, ...a]) => n === name && pred(a));
  }
}

let t: TestApp;
let url: string;
let host: Person, s1: Person, s2: Person;
const clients: TestClient[] = [];
const fake = new FakeMedia();

beforeAll(async () => {
  ({ t, url } = await listeningApp({}, { media: fake.service() }));
  host = await person(t, "teacher", "Host");
  s1 = await person(t, "student", "S1");
  s2 = await person(t, "student", "S2");
});
afterAll(async () => {
  for (const c of clients) c.close();
  await t?.close();
});

describe("media events through the classroom", () => {
  it("media events go to the media service as the participant; only publishers may produce; hooks close media", async () => {
    const room = await createRoom(t, host);
    const h = await joined(url, host, room.id);
    const a = await joined(url, s1, room.id);
    const b = await joined(url, s2, room.id);
    clients.push(h.c, a.c, b.c);

    const tr = await a.c.emit("create-transport", { direction: "send" });
    expect(tr).toMatchObject({ ok: true, transportId: "t-send", direction: "send", producers: [] });
    expect(fake.called("joinPeer", (x) => x[0] === room.id && x[1] === a.ack.participantId && x[2] === s1.user.id)).toBe(true);
    const conn = await a.c.emit("connect-transport", { transportId: "t-send", description: { type: "offer", sdp: "v=0 offer" } });
    expect(conn.answer?.type).toBe("answer");

    // A student may not publish until promoted.
    const denied = await a.c.emit("produce", { transportId: "t-send", kind: "video", source: "camera" });
    expect(denied.error.code).toBe("NOT_ALLOWED_TO_PUBLISH");
    expect(fake.called("produce")).toBe(false);
    await h.c.emit("promote", { participantId: a.ack.participantId });
    const ok = await a.c.emit("produce", { transportId: "t-send", kind: "video", source: "camera", mid: "0" });
    expect(ok).toMatchObject({ ok: true, producerId: "prod-1" });
    expect(fake.called("produce", (x) => x[1] === a.ack.participantId)).toBe(true);

    // Bad media payloads are refused before the media service sees them.
    expect((await a.c.emitRaw("produce", { transportId: "t-send", kind: "smell", source: "camera" })).error.code).toBe("VALIDATION_FAILED");
    expect((await a.c.emitRaw("set-preferred-layer", { consumerId: "c", layer: "x" })).error.code).toBe("VALIDATION_FAILED");

    // Media events reach the room, and participant media state follows.
    fake.emit({
      type: "producer-new",
      roomId: room.id,
      peerId: a.ack.participantId,
      producer: { producerId: "prod-1", peerId: a.ack.participantId, userId: s1.user.id, kind: "video", source: "camera", layers: [], paused: false },
    });
    await b.c.waitFor("new-producer", (e) => e.producer.producerId === "prod-1");
    await b.c.waitFor("participant-updated", (e) => e.participant.id === a.ack.participantId && e.participant.media.video === true);
    fake.emit({ type: "consumer-closed", roomId: room.id, peerId: b.ack.participantId, consumerId: "cons-9", producerId: "prod-1", reason: "producer-closed" });
    await b.c.waitFor("consumer-closed", (e) => e.consumerId === "cons-9");
    expect(a.c.has("consumer-closed")).toBe(false);
    fake.emit({ type: "producer-closed", roomId: room.id, peerId: a.ack.participantId, producerId: "prod-1", reason: "closed" });
    await h.c.waitFor("producer-closed", (e) => e.producerId === "prod-1");
    await h.c.waitFor("participant-updated", (e) => e.participant.id === a.ack.participantId && e.participant.media.video === false);

    // Hooks: mute closes the microphone, demote closes everything, removal and leaving leave media.
    await h.c.emit("mute-participant", { participantId: a.ack.participantId });
    expect(fake.called("closeProducersOf", (x) => x[1] === a.ack.participantId && JSON.stringify(x[2]) === '{"sources":["microphone"]}')).toBe(true);
    await h.c.emit("demote", { participantId: a.ack.participantId });
    expect(fake.called("closeProducersOf", (x) => x[1] === a.ack.participantId && x[2] === undefined)).toBe(true);
    await h.c.emit("remove-participant", { participantId: a.ack.participantId });
    expect(fake.called("leavePeer", (x) => x[1] === a.ack.participantId)).toBe(true);
    await b.c.emit("leave-room", {});
    expect(fake.called("leavePeer", (x) => x[1] === b.ack.participantId)).toBe(true);

    // Someone from another room cannot touch this room's media.
    const other = await createRoom(t, host);
    const o = await joined(url, s2, other.id);
    clients.push(o.c);
    expect((await o.c.emit("close-producer", { roomId: room.id, producerId: "prod-1" })).error.code).toBe("NOT_IN_ROOM");
    await o.c.emit("close-producer", { producerId: "prod-1" });
    expect(fake.called("closeProducer", (x) => x[0] === other.id && x[2] === o.ack.participantId)).toBe(true);
  });
});

describe("with the real media service", () => {
  it("create-transport works over the socket; media errors come back as error acks", async () => {
    const real = await listeningApp({ MEDIA_WORKERS: "1", MEDIA_WORKER_MODE: "inline", RTC_MIN_PORT: "47000", RTC_MAX_PORT: "47999" });
    try {
      const hh = await person(real.t, "teacher", "H");
      const room = await createRoom(real.t, hh);
      const h = await joined(real.url, hh, room.id);
      const tr = await h.c.emit("create-transport", { direction: "send" });
      expect(tr.ok, JSON.stringify(tr)).toBe(true);
      expect(typeof tr.transportId).toBe("string");
      expect(tr.producers).toEqual([]);
      const bad = await h.c.emit("connect-transport", { transportId: tr.transportId, description: { type: "offer", sdp: "not sdp" } });
      expect(bad.ok).toBe(false);
      expect((await h.c.emit("close-producer", { producerId: "nope" })).error.code).toBe("PRODUCER_NOT_FOUND");
      expect((await h.c.emit("connect-transport", { transportId: "nope", description: { type: "offer", sdp: "v=0" } })).error.code).toBe("TRANSPORT_NOT_FOUND");
      h.c.close();
    } finally {
      await real.t.close();
    }
  });
});

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
      setConsumerPaused: rec("setConsumerPaused"),
      stats: rec("stats"),
      onEvent: (listener: MediaEventListener) => {
        this.listeners.push(listener);
        return () => (this.listeners = this.listeners.filter((x) => x !== listener));
      },
      close: rec("close"),
    } as MediaService;
  }
  emit(event: Parameters<MediaEventListener>[0]) {
    for (const l of this.listeners) l(event);
  }
  called(name: string, pred: (args: unknown[]) => boolean = () => true) {
    return this.calls.some(([method, ...args]) => method === name && pred(args));
  }
}

let testApp: TestApp;
let url: string;
let host: Person, s1: Person, s2: Person;
const clients: TestClient[] = [];
const fake = new FakeMedia();

beforeAll(async () => {
  ({ t: testApp, url } = await listeningApp({}, { media: fake.service() }));
  host = await person(testApp, "teacher", "Host");
  s1 = await person(testApp, "student", "S1");
  s2 = await person(testApp, "student", "S2");
});
afterAll(async () => {
  for (const c of clients) c.close();
  await testApp?.close();
});

describe("media events through the classroom", () => {
  it("media events go to the media service as the participant; only publishers may produce; hooks close media", async () => {
    const room = await createRoom(testApp, host);
    const hostSession = await joined(url, host, room.id);
    const s1Session = await joined(url, s1, room.id);
    const s2Session = await joined(url, s2, room.id);
    clients.push(hostSession.c, s1Session.c, s2Session.c);

    const tr = await s1Session.c.emit("create-transport", { direction: "send" });
    expect(tr).toMatchObject({ ok: true, transportId: "t-send", direction: "send", producers: [] });
    expect(fake.called("joinPeer", (args) => args[0] === room.id && args[1] === s1Session.ack.participantId && args[2] === s1.user.id)).toBe(true);
    const conn = await s1Session.c.emit("connect-transport", { transportId: "t-send", description: { type: "offer", sdp: "v=0 offer" } });
    expect(conn.answer?.type).toBe("answer");

    // A student may not publish until promoted.
    const denied = await s1Session.c.emit("produce", { transportId: "t-send", kind: "video", source: "camera" });
    expect(denied.error.code).toBe("NOT_ALLOWED_TO_PUBLISH");
    expect(fake.called("produce")).toBe(false);
    await hostSession.c.emit("promote", { participantId: s1Session.ack.participantId });
    const ok = await s1Session.c.emit("produce", { transportId: "t-send", kind: "video", source: "camera", mid: "0" });
    expect(ok).toMatchObject({ ok: true, producerId: "prod-1" });
    expect(fake.called("produce", (args) => args[1] === s1Session.ack.participantId)).toBe(true);

    // Bad media payloads are refused before the media service sees them.
    expect((await s1Session.c.emitRaw("produce", { transportId: "t-send", kind: "smell", source: "camera" })).error.code).toBe("VALIDATION_FAILED");
    expect((await s1Session.c.emitRaw("set-preferred-layer", { consumerId: "c", layer: "x" })).error.code).toBe("VALIDATION_FAILED");

    // Media events reach the room, and participant media state follows.
    fake.emit({
      type: "producer-new",
      roomId: room.id,
      peerId: s1Session.ack.participantId,
      producer: { producerId: "prod-1", peerId: s1Session.ack.participantId, userId: s1.user.id, kind: "video", source: "camera", layers: [], paused: false },
    });
    await s2Session.c.waitFor("new-producer", (event) => event.producer.producerId === "prod-1");
    await s2Session.c.waitFor("participant-updated", (event) => event.participant.id === s1Session.ack.participantId && event.participant.media.video === true);
    fake.emit({
      type: "consumer-closed",
      roomId: room.id,
      peerId: s2Session.ack.participantId,
      consumerId: "cons-9",
      producerId: "prod-1",
      reason: "producer-closed",
    });
    await s2Session.c.waitFor("consumer-closed", (event) => event.consumerId === "cons-9");
    expect(s1Session.c.has("consumer-closed")).toBe(false);
    fake.emit({ type: "producer-closed", roomId: room.id, peerId: s1Session.ack.participantId, producerId: "prod-1", reason: "closed" });
    await hostSession.c.waitFor("producer-closed", (event) => event.producerId === "prod-1");
    await hostSession.c.waitFor(
      "participant-updated",
      (event) => event.participant.id === s1Session.ack.participantId && event.participant.media.video === false,
    );

    // Hooks: mute closes the microphone, demote closes everything, removal and leaving leave media.
    await hostSession.c.emit("mute-participant", { participantId: s1Session.ack.participantId });
    expect(fake.called("closeProducersOf", (args) => args[1] === s1Session.ack.participantId && JSON.stringify(args[2]) === '{"sources":["microphone"]}')).toBe(
      true,
    );
    await hostSession.c.emit("demote", { participantId: s1Session.ack.participantId });
    expect(fake.called("closeProducersOf", (args) => args[1] === s1Session.ack.participantId && args[2] === undefined)).toBe(true);
    await hostSession.c.emit("remove-participant", { participantId: s1Session.ack.participantId });
    expect(fake.called("leavePeer", (args) => args[1] === s1Session.ack.participantId)).toBe(true);
    await s2Session.c.emit("leave-room", {});
    expect(fake.called("leavePeer", (args) => args[1] === s2Session.ack.participantId)).toBe(true);

    // Someone from another room cannot touch this room's media.
    const other = await createRoom(testApp, host);
    const otherRoomSession = await joined(url, s2, other.id);
    clients.push(otherRoomSession.c);
    expect((await otherRoomSession.c.emit("close-producer", { roomId: room.id, producerId: "prod-1" })).error.code).toBe("NOT_IN_ROOM");
    await otherRoomSession.c.emit("close-producer", { producerId: "prod-1" });
    expect(fake.called("closeProducer", (args) => args[0] === other.id && args[2] === otherRoomSession.ack.participantId)).toBe(true);
  });
});

describe("with the real media service", () => {
  it("create-transport works over the socket; media errors come back as error acks", async () => {
    const real = await listeningApp({ MEDIA_WORKERS: "1", MEDIA_WORKER_MODE: "inline", RTC_MIN_PORT: "47000", RTC_MAX_PORT: "47999" });
    try {
      const hh = await person(real.t, "teacher", "H");
      const room = await createRoom(real.t, hh);
      const hostSession = await joined(real.url, hh, room.id);
      const tr = await hostSession.c.emit("create-transport", { direction: "send" });
      expect(tr.ok, JSON.stringify(tr)).toBe(true);
      expect(typeof tr.transportId).toBe("string");
      expect(tr.producers).toEqual([]);
      const bad = await hostSession.c.emit("connect-transport", { transportId: tr.transportId, description: { type: "offer", sdp: "not sdp" } });
      expect(bad.ok).toBe(false);
      expect((await hostSession.c.emit("close-producer", { producerId: "nope" })).error.code).toBe("PRODUCER_NOT_FOUND");
      expect((await hostSession.c.emit("connect-transport", { transportId: "nope", description: { type: "offer", sdp: "v=0" } })).error.code).toBe(
        "TRANSPORT_NOT_FOUND",
      );
      hostSession.c.close();
    } finally {
      await real.t.close();
    }
  });
});

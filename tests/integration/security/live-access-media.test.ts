import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../../helpers/app.js";
import { TestPublisher, TestSubscriber } from "../media/helpers/clients.js";
import { createRoom, joined, listeningApp, person, type TestClient, type Person } from "../rooms/helpers.js";

/**
 * Media events act only on the caller's own media: with the real in-process SFU, one student
 * cannot change the simulcast layer of another student's consumer, as `close-consumer` already refused.
 */
let testApp: TestApp;
let url: string;
let host: Person, s1: Person, s2: Person;
const clients: TestClient[] = [];
const cleanup: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  ({ t: testApp, url } = await listeningApp({ MEDIA_WORKERS: "1", RTC_MIN_PORT: "47000", RTC_MAX_PORT: "47199" }));
  host = await person(testApp, "teacher", "Host");
  s1 = await person(testApp, "student", "S1");
  s2 = await person(testApp, "student", "S2");
});
afterAll(async () => {
  for (const c of clients) c.close();
  for (const c of cleanup) await c.close().catch(() => {});
  await testApp?.close();
});

describe("media ownership", () => {
  it("set-preferred-layer and close-consumer on another participant's consumer answer CONSUMER_NOT_FOUND; the owner's own succeed", async () => {
    const room = await createRoom(testApp, host);
    const hostSession = await joined(url, host, room.id);
    const s1Session = await joined(url, s1, room.id);
    const s2Session = await joined(url, s2, room.id);
    clients.push(hostSession.c, s1Session.c, s2Session.c);
    const media = await testApp.app.ctx.media!.service();

    // The host publishes a camera and student 1 consumes it, both as their participants (media peer ids).
    const pub = new TestPublisher(media, room.id, hostSession.ack.participantId);
    cleanup.push(pub);
    await pub.join(host.user.id);
    const cam = pub.addTrack("camera");
    await pub.negotiate();
    await pub.produce(cam);
    const sub = new TestSubscriber(media, room.id, s1Session.ack.participantId);
    cleanup.push(sub);
    await sub.join(s1.user.id);
    const consumer = await sub.consume(cam.producerId!);

    const foreign = await s2Session.c.emit("set-preferred-layer", { roomId: room.id, consumerId: consumer.consumerId, layer: "l" });
    expect(foreign.ok).toBe(false);
    expect(foreign.error.code).toBe("CONSUMER_NOT_FOUND");
    expect((await s2Session.c.emit("close-consumer", { roomId: room.id, consumerId: consumer.consumerId })).error.code).toBe("CONSUMER_NOT_FOUND");
    // The host (who may control the class) is refused too: a consumer is its subscriber's alone.
    expect((await hostSession.c.emit("set-preferred-layer", { roomId: room.id, consumerId: consumer.consumerId, layer: "l" })).error.code).toBe(
      "CONSUMER_NOT_FOUND",
    );

    expect((await s1Session.c.emit("set-preferred-layer", { roomId: room.id, consumerId: consumer.consumerId, layer: "l" })).ok).toBe(true);
    expect((await media.getRoom(room.id)).consumers).toBe(1);
  });
});

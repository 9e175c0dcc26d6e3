import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ShardedMediaService } from "../../../apps/server/src/media/ShardedMediaService.js";
import type { WorkerSlot } from "../../../apps/server/src/media/WorkerSlot.js";
import { TestPublisher, TestSubscriber, waitFor } from "./helpers/clients.js";
import { startInProcess, type MediaUnderTest } from "./helpers/modes.js";
import { EventLog } from "./helpers/suite.js";

/**
 * A media worker thread that dies (here: terminated, as a crash would) reports its rooms lost and
 * comes back: a fresh worker starts in its slot and the same room works again, media included.
 * One worker, so nothing else could take the room.
 */
describe("a media worker that dies", () => {
  let sut: MediaUnderTest;
  const closers: { close(): Promise<void> }[] = [];
  beforeAll(async () => {
    sut = await startInProcess(63000, { MEDIA_WORKERS: "1" });
  });
  afterAll(async () => {
    for (const c of closers) await c.close().catch(() => {});
    await sut?.stop();
  });

  async function flow(roomId: string) {
    const pub = new TestPublisher(sut.media, roomId, "teacher");
    closers.push(pub);
    await pub.join();
    const cam = pub.addTrack("camera");
    await pub.negotiate();
    await pub.produce(cam);
    await pub.connected();
    pub.startRtp();
    const sub = new TestSubscriber(sut.media, roomId, "student");
    closers.push(sub);
    await sub.join();
    await sub.consume(cam.producerId!);
    await waitFor("video at the subscriber", () => sub.packetsFor(cam.producerId!) > 20);
    return { pub, sub };
  }

  it("reports its rooms lost, restarts, and the room works again", async () => {
    const log = new EventLog(sut.media);
    const first = await flow("respawn-room");
    const slot = (sut.media as ShardedMediaService).shards[0] as WorkerSlot;
    expect(slot.generation).toBe(1);

    await slot.crashForTest();
    await log.wait("room-closed (media-lost)", (event) => event.type === "room-closed" && event.roomId === "respawn-room" && event.reason === "media-lost");
    await first.pub.close();
    await first.sub.close();

    await waitFor("a new worker in the slot", () => slot.generation === 2);
    expect((await sut.media.health()).ok).toBe(true);
    await flow("respawn-room");
    expect((await sut.media.getRoom("respawn-room")).peers).toBe(2);
    log.off();
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ShardedMediaService } from "../../../apps/server/src/media/ShardedMediaService.js";
import type { WorkerSlot } from "../../../apps/server/src/media/WorkerSlot.js";
import type { MediaEvent } from "../../../apps/server/src/media/index.js";
import { TestPublisher, TestSubscriber, waitFor } from "./helpers/clients.js";
import { startInProcess, type MediaUnderTest } from "./helpers/modes.js";

/**
 * One class over two media workers (MEDIA_WORKERS=2, MEDIA_SPREAD_THRESHOLD=0: every other
 * subscriber goes to the second worker). The teacher publishes on the room's home worker; the
 * subscribers on the other worker get the teacher's media over a pipe (one per producer and
 * worker), a late joiner's keyframe request crosses the pipe back to the teacher, and when the
 * worker holding only subscribers dies, those subscribers are told to reset and get media again.
 */
describe("a class spread over two media workers", () => {
  let sut: MediaUnderTest;
  let media: ShardedMediaService;
  const events: MediaEvent[] = [];
  const closers: { close(): Promise<void> }[] = [];
  const roomId = "pipes-room";
  let pub: TestPublisher;
  let camId = "";
  let micId = "";
  const subs: TestSubscriber[] = [];

  beforeAll(async () => {
    sut = await startInProcess(45000, { MEDIA_WORKERS: "2", MEDIA_SPREAD_THRESHOLD: "0" });
    media = sut.media as ShardedMediaService;
    media.onEvent((e) => events.push(e));
    pub = new TestPublisher(media, roomId, "teacher");
    closers.push(pub);
    await pub.join();
    const cam = pub.addTrack("camera");
    const mic = pub.addTrack("microphone");
    await pub.negotiate();
    camId = await pub.produce(cam);
    micId = await pub.produce(mic);
    await pub.connected();
    pub.startRtp();
  });
  afterAll(async () => {
    for (const c of closers) await c.close().catch(() => {});
    await sut?.stop();
  });

  const placementOf = () => media.placement().find((p) => p.roomId === roomId);

  async function subscribe(peerId: string): Promise<TestSubscriber> {
    const sub = new TestSubscriber(media, roomId, peerId);
    closers.push(sub);
    const joined = await sub.join();
    expect(joined.producers.map((p) => p.producerId).sort()).toEqual([camId, micId].sort());
    await sub.consume(camId);
    await sub.consume(micId);
    return sub;
  }

  it("every subscriber on either worker receives the teacher's video and audio, one pipe per producer and worker", async () => {
    for (let i = 0; i < 4; i++) subs.push(await subscribe(`student-${i}`));
    for (const sub of subs) {
      // A consumer starts forwarding at a keyframe: video packets mean a keyframe got through.
      await waitFor(`video at ${sub.peerId}`, () => sub.distinctPacketsFor(camId) > 30);
      await waitFor(`audio at ${sub.peerId}`, () => sub.distinctPacketsFor(micId) > 50);
    }
    const placement = placementOf()!;
    expect(placement.home).toBe(placement.shards[0].shardId);
    expect(placement.shards.map((s) => s.peers).sort()).toEqual([2, 3]); // teacher + 2, and 2
    // Two producers piped to the one other worker: two pipes, not one per subscriber.
    expect(placement.pipes).toBe(2);
    const pipes = await media.pipeStatus();
    expect(pipes.filter((p) => p.side === "out")).toHaveLength(2);
    expect(pipes.filter((p) => p.side === "in" && p.state === "ok")).toHaveLength(2);
    expect(pipes.find((p) => p.side === "in" && p.producerId === camId)!.packets).toBeGreaterThan(30);
  });

  // The test publisher also sends a keyframe every second on its own; the pipe's counter of
  // keyframe requests it carried back is what shows the request crossed.
  it("a late subscriber on the far worker gets a keyframe quickly: its request crosses the pipe to the teacher", async () => {
    const before = (await media.pipeStatus()).find((p) => p.side === "out" && p.producerId === camId)!.keyFrameRequests;
    const plisBefore = pub.pliReceived;
    // One more on the home worker first, so that the next one goes to the far worker.
    subs.push(await subscribe("student-4"));
    const started = Date.now();
    const late = await subscribe("student-5");
    subs.push(late);
    await waitFor("video at the late subscriber", () => late.distinctPacketsFor(camId) > 0, 3000);
    const tookMs = Date.now() - started;
    const after = (await media.pipeStatus()).find((p) => p.side === "out" && p.producerId === camId)!.keyFrameRequests;
    expect(after).toBeGreaterThan(before);
    expect(pub.pliReceived).toBeGreaterThan(plisBefore);
    expect(tookMs).toBeLessThan(3000);
  });

  it("when the worker holding only subscribers dies, they are told to reset and get media again on a living worker", async () => {
    const placement = placementOf()!;
    const far = placement.shards.find((s) => s.shardId !== placement.home)!.shardId;
    const slot = media.shards.find((s) => s.id === far) as WorkerSlot;
    const info = await media.getRoom(roomId);
    expect(info.peerList.length).toBe(7);
    // Which subscribers live on the far worker: ask it.
    const farPeers = (await slot.request("getRoom", roomId)).peerList.map((p) => p.peerId);
    expect(farPeers.length).toBeGreaterThan(0);
    const homeSubs = subs.filter((s) => !farPeers.includes(s.peerId));
    events.length = 0;
    await slot.crashForTest();
    for (const peerId of farPeers)
      await waitFor(`reset of ${peerId}`, () => events.some((e) => e.type === "transport-closed" && e.peerId === peerId && e.reason === "failed"));
    expect(events.some((e) => e.type === "room-closed")).toBe(false);
    // The teacher and the home worker's subscribers carry on.
    const counts = homeSubs.map((s) => s.distinctPacketsFor(camId));
    await waitFor("home subscribers still receive", () => homeSubs.every((s, i) => s.distinctPacketsFor(camId) > counts[i] + 15));
    // The reset subscribers join again (as the client does on media-reset) and receive.
    for (const peerId of farPeers) {
      const old = subs.find((s) => s.peerId === peerId)!;
      await old.close();
      await media.leavePeer(roomId, peerId).catch(() => {});
      const again = await subscribe(peerId);
      await waitFor(`video at ${peerId} after the reset`, () => again.distinctPacketsFor(camId) > 15);
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ShardedMediaService } from "../../../apps/server/src/media/ShardedMediaService.js";
import type { WorkerSlot } from "../../../apps/server/src/media/WorkerSlot.js";
import { createMediaService, type MediaEvent } from "../../../apps/server/src/media/index.js";
import { Value } from "@sinclair/typebox/value";
import { Registry } from "prom-client";
import { AdminStatusResponse } from "@vtp/protocol";
import { MediaSpreadMetrics, mediaSpreadOf } from "../../../apps/server/src/metrics/mediaSpread.js";
import { TestPublisher, TestSubscriber, waitFor } from "./helpers/clients.js";
import { startInProcess, startNodeProcess, TEST_SECRET } from "./helpers/modes.js";

/** Two shards (workers or nodes) under one sharded service, and a way to kill one of them. */
interface SpreadUnderTest {
  media: ShardedMediaService;
  kill(shardId: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * One class over two shards with MEDIA_SPREAD_THRESHOLD=0 (every other subscriber goes to the
 * second shard). The teacher publishes on the room's home shard; the subscribers on the other
 * shard get the teacher's media over a pipe (one per producer and shard), a late joiner's
 * keyframe request crosses the pipe back to the teacher, and when the shard holding only
 * subscribers dies, those subscribers are told to reset and get media again.
 */
function spreadSuite(name: string, start: () => Promise<SpreadUnderTest>) {
  describe(name, () => {
    let sut: SpreadUnderTest;
    let media: ShardedMediaService;
    const events: MediaEvent[] = [];
    const closers: { close(): Promise<void> }[] = [];
    const roomId = "pipes-room";
    let pub: TestPublisher;
    let camId = "";
    let micId = "";
    const subs: TestSubscriber[] = [];

    beforeAll(async () => {
      sut = await start();
      media = sut.media;
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

    it("every subscriber on either shard receives the teacher's video and audio, one pipe per producer and shard", async () => {
      for (let i = 0; i < 4; i++) subs.push(await subscribe(`student-${i}`));
      for (const sub of subs) {
        // A consumer starts forwarding at a keyframe: video packets mean a keyframe got through.
        await waitFor(`video at ${sub.peerId}`, () => sub.distinctPacketsFor(camId) > 30);
        await waitFor(`audio at ${sub.peerId}`, () => sub.distinctPacketsFor(micId) > 50);
      }
      const placement = placementOf()!;
      expect(placement.home).toBe(placement.shards[0].shardId);
      expect(placement.shards.map((s) => s.peers).sort()).toEqual([2, 3]); // teacher + 2, and 2
      // Two producers piped to the one other shard: two pipes, not one per subscriber.
      expect(placement.pipes).toBe(2);
      const pipes = await media.pipeStatus();
      expect(pipes.filter((p) => p.side === "out")).toHaveLength(2);
      expect(pipes.filter((p) => p.side === "in" && p.state === "ok")).toHaveLength(2);
      expect(pipes.find((p) => p.side === "in" && p.producerId === camId)!.packets).toBeGreaterThan(30);
    });

    // The test publisher also sends a keyframe every second on its own; the pipe's counter of
    // keyframe requests it carried back is what shows the request crossed.
    it("a late subscriber on the far shard gets a keyframe quickly: its request crosses the pipe to the teacher", async () => {
      const before = (await media.pipeStatus()).find((p) => p.side === "out" && p.producerId === camId)!.keyFrameRequests;
      const plisBefore = pub.pliReceived;
      // One more on the home shard first, so that the next one goes to the far shard.
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

    it("a pipe whose origin end breaks is set up again; the far subscribers keep their consumers and get media again", async () => {
      const placement = placementOf()!;
      const home = media.shards.find((s) => s.id === placement.home)!;
      const far = placement.shards.find((s) => s.shardId !== placement.home)!.shardId;
      const farPeers = (await media.shards.find((s) => s.id === far)!.request("getRoom", roomId)).peerList.map((p) => p.peerId);
      const farSubs = subs.filter((s) => farPeers.includes(s.peerId));
      const broken = (await home.request("pipeStatus")).find((p) => p.side === "out" && p.producerId === camId)!;
      const rebuiltBefore = media.pipesRebuilt;
      // The origin end goes away (as when its socket fails); the far end's pipe producer stays.
      await home.request("closePipe", roomId, broken.pipeId);
      await waitFor("the pipe set up again", () => media.pipesRebuilt > rebuiltBefore, 15_000);
      const counts = farSubs.map((s) => s.distinctPacketsFor(camId));
      await waitFor("far subscribers receive again", () => farSubs.every((s, i) => s.distinctPacketsFor(camId) > counts[i] + 15));
      const fresh = (await media.pipeStatus()).filter((p) => p.producerId === camId);
      expect(fresh.map((p) => p.pipeId)).not.toContain(broken.pipeId);
      expect(fresh.filter((p) => p.state === "ok")).toHaveLength(2);
      // Still one pipe per producer and shard, and the same consumers (no consume again).
      expect(placementOf()!.pipes).toBe(2);
      for (const sub of farSubs) expect([...sub.consumed.values()].filter((c) => c.producerId === camId)).toHaveLength(1);
    });

    it("placement, pipes and their health show in the admin status and in /metrics", async () => {
      const spread = (await mediaSpreadOf(media))!;
      const placement = placementOf()!;
      // The admin status carries exactly this (its response schema checks it).
      const status = { mode: "in-process", started: true, ok: true, workers: 2, rooms: 1, peers: 7, spread };
      expect(Value.Errors(AdminStatusResponse.properties.media, status).First()).toBeUndefined();
      expect(spread.rooms.find((r) => r.roomId === roomId)).toEqual(placement);
      const outs = spread.pipes.filter((p) => p.roomId === roomId && p.side === "out");
      expect(outs.map((p) => p.shardId)).toEqual([placement.home, placement.home]);
      expect(outs.every((p) => p.state === "ok" && p.packets > 0)).toBe(true);
      const registry = new Registry();
      new MediaSpreadMetrics(registry).update(spread);
      const text = await registry.metrics();
      expect(text).toContain(`vtp_media_pipes{shard="${placement.home}",side="out",state="ok"} 2`);
      expect(text).toMatch(/vtp_media_pipes_rebuilt_total \d+/);
      expect(text).toContain("vtp_media_rooms_spread 1");
      const sent = text.split("\n").find((line) => line.startsWith(`vtp_media_pipe_packets_total{shard="${placement.home}",side="out"} `));
      expect(Number(sent?.split(" ").pop())).toBeGreaterThan(0);
    });

    it("when the shard holding only subscribers dies, they are told to reset and get media again on a living shard", async () => {
      const placement = placementOf()!;
      const far = placement.shards.find((s) => s.shardId !== placement.home)!.shardId;
      const slot = media.shards.find((s) => s.id === far)!;
      const info = await media.getRoom(roomId);
      expect(info.peerList.length).toBe(7);
      // Which subscribers live on the far shard: ask it.
      const farPeers = (await slot.request("getRoom", roomId)).peerList.map((p) => p.peerId);
      expect(farPeers.length).toBeGreaterThan(0);
      const homeSubs = subs.filter((s) => !farPeers.includes(s.peerId));
      events.length = 0;
      await sut.kill(far);
      for (const peerId of farPeers)
        await waitFor(`reset of ${peerId}`, () => events.some((e) => e.type === "transport-closed" && e.peerId === peerId && e.reason === "failed"));
      expect(events.some((e) => e.type === "room-closed")).toBe(false);
      // The teacher and the home shard's subscribers carry on.
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
}

spreadSuite("a class spread over two media workers", async () => {
  const sut = await startInProcess(45000, { MEDIA_WORKERS: "2", MEDIA_SPREAD_THRESHOLD: "0" });
  const media = sut.media as ShardedMediaService;
  return {
    media,
    kill: (shardId) => (media.shards.find((s) => s.id === shardId) as WorkerSlot).crashForTest(),
    stop: () => sut.stop(),
  };
});

spreadSuite("a class spread over two media nodes", async () => {
  const nodes = await Promise.all([startNodeProcess(46000), startNodeProcess(47000)]);
  const media = (await createMediaService({
    nodes: nodes.map((n) => n.url),
    secret: TEST_SECRET,
    env: { MEDIA_SPREAD_THRESHOLD: "0" },
  })) as ShardedMediaService;
  return {
    media,
    async kill(shardId) {
      const node = nodes.find((n) => n.url === shardId)!;
      node.child.kill("SIGKILL");
    },
    async stop() {
      await media.close();
      for (const n of nodes) await n.stop();
    },
  };
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MediaStats } from "../../../apps/server/src/media/index.js";
import { TestPublisher, TestSubscriber, waitFor } from "./helpers/clients.js";
import { startInProcess, type MediaUnderTest } from "./helpers/modes.js";

const CYCLES = Number(process.env.MEDIA_LEAK_CYCLES ?? 100);
const keys = ["rooms", "peers", "transports", "peerConnections", "producers", "consumers", "udpSockets", "timers"] as const;
const pick = (stats: MediaStats) => Object.fromEntries(keys.map((k) => [k, stats[k]]));

describe("media resources", () => {
  let sut: MediaUnderTest;
  beforeAll(async () => {
    sut = await startInProcess(43000);
  });
  afterAll(async () => {
    await sut?.stop();
  });

  it(`return to their starting counts after ${CYCLES} join/produce/consume/leave cycles`, async () => {
    const media = sut.media;
    const before = pick(await media.stats());
    let peak = before;
    for (let i = 0; i < CYCLES; i++) {
      const roomId = `leak-${i % 3}`;
      const pub = new TestPublisher(media, roomId, `pub${i}`);
      const sub = new TestSubscriber(media, roomId, `sub${i}`);
      try {
        await pub.join();
        const cam = pub.addTrack("camera");
        const mic = pub.addTrack("microphone");
        await pub.negotiate();
        await pub.produce(cam);
        await pub.produce(mic);
        await sub.join();
        await sub.consume(cam.producerId!);
        await sub.consume(mic.producerId!);
        await pub.connected();
        pub.startRtp();
        await waitFor(`cycle ${i}: packets`, () => sub.packetsFor(cam.producerId!) > 0 && sub.packetsFor(mic.producerId!) > 0);
        if (i % 25 === 0) peak = pick(await media.stats());
        // Alternate: leave first then close the client, or close the client first then leave.
        if (i % 2 === 0) {
          await media.leavePeer(roomId, `sub${i}`);
          await media.leavePeer(roomId, `pub${i}`);
        }
      } finally {
        pub.stopRtp();
        await sub.close();
        await pub.close();
      }
      if (i % 2 === 1) {
        await media.leavePeer(roomId, `sub${i}`);
        await media.leavePeer(roomId, `pub${i}`);
      }
    }
    // The counters really moved during the cycles (so the check below can fail).
    expect(peak.peerConnections).toBeGreaterThanOrEqual(2);
    expect(peak.udpSockets).toBeGreaterThan(before.udpSockets);
    expect(peak.producers).toBe(2);
    expect(peak.consumers).toBe(2);
    // Closing is asynchronous (werift closes sockets after its own teardown): wait, then compare.
    let after = pick(await media.stats());
    await waitFor(
      "counters back to their starting values",
      async () => {
        after = pick(await media.stats());
        return JSON.stringify(after) === JSON.stringify(before);
      },
      20_000,
    ).catch(() => undefined);
    expect(after).toEqual(before);
  }, 180_000);
});

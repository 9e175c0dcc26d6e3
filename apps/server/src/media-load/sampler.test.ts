import { describe, expect, it } from "vitest";
import pino from "pino";
import type { MediaStats } from "../media/index.js";
import type { ShardStats } from "../metrics/media.js";
import type { MediaLoadRepo, MediaLoadSample } from "./repo.js";
import { MediaLoadSampler, mediaNodeId } from "./sampler.js";

const stats = (over: Partial<MediaStats>): MediaStats => ({
  workers: 1,
  rooms: 1,
  peers: 2,
  transports: 3,
  peerConnections: 3,
  producers: 2,
  consumers: 2,
  udpSockets: 3,
  timers: 0,
  packetsForwarded: 0,
  bytesForwarded: 0,
  receiverLossSum: 0,
  receiverLossReports: 0,
  eventLoopActiveMs: 0,
  ...over,
});

/** A repo that keeps what it is given. */
function memoryRepo() {
  const written: MediaLoadSample[] = [];
  const pruned: number[] = [];
  const repo = {
    write: async (samples: MediaLoadSample[]) => void written.push(...samples),
    prune: async (days: number) => {
      pruned.push(days);
      return 0;
    },
  } as unknown as MediaLoadRepo;
  return { repo, written, pruned };
}

describe("MediaLoadSampler", () => {
  it("turns the nodes' counters into rates between two readings, skips idle nodes and a restarted counter", async () => {
    const { repo, written, pruned } = memoryRepo();
    let shards: ShardStats[] | undefined;
    const sampler = new MediaLoadSampler(repo, async () => shards, { intervalSeconds: 60, retentionDays: 400 }, "0f1e2d3c-aaaa", pino({ level: "silent" }));
    const at = (seconds: number) => new Date(Date.UTC(2026, 11, 1, 10, 0, seconds));

    // Media not started on this server: nothing to read, but old rows are still pruned.
    expect(await sampler.sample(at(0))).toEqual([]);
    expect(pruned).toEqual([400]);

    shards = [
      { shardId: "http://media-1:4000", stats: stats({ packetsForwarded: 1000, bytesForwarded: 1_000_000, eventLoopActiveMs: 500 }) },
      { shardId: "w0", stats: stats({ peers: 0, transports: 0, producers: 0, consumers: 0 }) },
      { shardId: "w1", stats: null },
    ];
    const first = await sampler.sample(at(10));
    expect(first).toEqual([
      expect.objectContaining({ nodeId: "http://media-1:4000", peers: 2, spanSeconds: 60, bitsPerSecond: null, packetsPerSecond: null, cpuCores: null }),
    ]);

    shards = [{ shardId: "http://media-1:4000", stats: stats({ packetsForwarded: 3000, bytesForwarded: 3_500_000, eventLoopActiveMs: 5500 }) }];
    const [second] = await sampler.sample(at(20));
    expect(second).toMatchObject({ bitsPerSecond: 2_000_000, packetsPerSecond: 200, cpuCores: 0.5 });

    // A replaced worker starts its counters from zero: no rate for that reading, the next one has one.
    shards = [{ shardId: "http://media-1:4000", stats: stats({ packetsForwarded: 100, bytesForwarded: 10_000, eventLoopActiveMs: 100 }) }];
    expect(await sampler.sample(at(30))).toEqual([expect.objectContaining({ bitsPerSecond: null, packetsPerSecond: null, cpuCores: null })]);
    expect(written).toHaveLength(3);
    // Pruned once an hour, not at every reading.
    expect(pruned).toEqual([400]);
  });

  it("names a remote node by its URL and an in-process worker by its host and app server", () => {
    expect(mediaNodeId("https://media-2.school.org:4443", "any")).toBe("https://media-2.school.org:4443");
    expect(mediaNodeId("w1", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "app-1")).toBe("app-1/0f1e2d3c/w1");
  });

  it("reads on its timer; stopping waits for the reading under way", async () => {
    const { repo } = memoryRepo();
    let reads = 0;
    let release: (() => void) | undefined;
    const source = () => {
      reads++;
      return new Promise<undefined>((resolve) => {
        release = () => resolve(undefined);
      });
    };
    const sampler = new MediaLoadSampler(repo, source, { intervalSeconds: 1, retentionDays: 400 }, "server", pino({ level: "silent" }));
    sampler.start();
    const deadline = Date.now() + 20_000;
    while (!release && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(reads).toBe(1);
    let stopped = false;
    const stopping = sampler.stop().then(() => {
      stopped = true;
    });
    await Promise.resolve();
    expect(stopped).toBe(false);
    release?.();
    await stopping;
    expect(stopped).toBe(true);
    expect(reads).toBe(1);
  });
});

import { cpus } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import pino from "pino";
import type { AdminOverviewResponse } from "@vtp/protocol";
import { createMediaService, type MediaService } from "../../../apps/server/src/media/index.js";
import { MediaLoadRepo, MediaLoadSampler } from "../../../apps/server/src/media-load/index.js";
import { mediaStatsByShard } from "../../../apps/server/src/metrics/index.js";
import type { Services } from "../../../apps/server/src/compose.js";
import { createTestApp, makeAdmin, type TestApp } from "../../helpers/app.js";
import { startNodeProcess, TEST_SECRET } from "../media/helpers/modes.js";
import { TestPublisher, TestSubscriber, waitFor } from "../media/helpers/clients.js";

/**
 * The admin overview's media load from real media: a `vtp media` node forwards a werift
 * publisher's camera and microphone to a subscriber; the app server's sampler (a 1 s interval)
 * and a second app server's sampler both read that node, and today's row of
 * GET /api/v1/admin/overview shows the load once.
 */
let node: Awaited<ReturnType<typeof startNodeProcess>>;
let testApp: TestApp;
let mediaA: MediaService;
let mediaB: MediaService;
let otherServer: MediaLoadSampler;
const closers: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  node = await startNodeProcess(64000);
  mediaA = await createMediaService({ nodes: [node.url], secret: TEST_SECRET });
  mediaB = await createMediaService({ nodes: [node.url], secret: TEST_SECRET });
  testApp = await createTestApp({ MEDIA_LOAD_INTERVAL_SECONDS: "1" }, { media: mediaA });
  // The second app server: its own client of the same node, its own sampler, the same database.
  otherServer = new MediaLoadSampler(
    new MediaLoadRepo(testApp.app.ctx.db),
    () => mediaStatsByShard(mediaB),
    { intervalSeconds: 1, retentionDays: 400 },
    "second-app-server",
    pino({ level: "silent" }),
  );
});
afterAll(async () => {
  await otherServer?.stop();
  for (const closer of closers.reverse()) await closer.close().catch(() => {});
  // The app does not close the media it was given.
  await testApp?.close();
  await mediaA?.close();
  await mediaB?.close();
  await node?.stop();
});

const rowsOf = async (nodeId: string) =>
  (
    await sql<{ minute: Date; peers: number; producers: number; consumers: number; bits: number | null }>`
      select minute, peers, producers, consumers, bits_per_second as bits from media_load where node_id = ${nodeId} order by minute`.execute(testApp.app.ctx.db)
  ).rows;

describe("media load per day", () => {
  it("samples a media node with packets flowing, counts it once for two app servers, and shows it on today's overview row", async () => {
    const admin = await makeAdmin(testApp);
    // The first media event of a class starts the app's media; the sampler reads it from then on.
    await testApp.app.ctx.media!.service();
    const roomId = `load-${process.pid}`;
    const publisher = new TestPublisher(mediaA, roomId, "teacher");
    closers.push(publisher);
    await publisher.join();
    const tracks = [publisher.addTrack("camera"), publisher.addTrack("microphone")];
    await publisher.negotiate();
    for (const track of tracks) await publisher.produce(track);
    await publisher.connected();
    publisher.startRtp();
    const subscriber = new TestSubscriber(mediaA, roomId, "student");
    closers.push(subscriber);
    await subscriber.join();
    for (const track of tracks) await subscriber.consume(track.producerId!);
    await waitFor("packets at the subscriber", () => tracks.every((track) => subscriber.packetsFor(track.producerId!) > 20));

    // From here on, every reading sees both people (the timer may have read the node while they joined).
    await sql`delete from media_load`.execute(testApp.app.ctx.db);
    // The app server's own timer writes the node's minute with a forwarded bitrate.
    const written = await waitFor("a sample with a forwarded bitrate", async () => (await rowsOf(node.url)).find((row) => Number(row.bits) > 0));
    expect(written).toMatchObject({ peers: 2, producers: 2, consumers: 2 });

    // The second app server reads the same node twice (a rate needs two readings): the same node id, the same minute rows.
    await otherServer.sample();
    const before = subscriber.packetsFor(tracks[0]!.producerId!);
    await waitFor("more packets forwarded", () => subscriber.packetsFor(tracks[0]!.producerId!) > before + 10);
    const [second] = await otherServer.sample();
    expect(second).toMatchObject({ nodeId: node.url, peers: 2, producers: 2, consumers: 2 });
    expect(second!.bitsPerSecond).toBeGreaterThan(0);
    expect(second!.packetsPerSecond).toBeGreaterThan(0);
    // The node forwarded packets between the readings: its media thread was busy part of the time, never more than all cores.
    expect(second!.cpuCores).toBeGreaterThan(0);
    expect(second!.cpuCores).toBeLessThanOrEqual(cpus().length);

    await (testApp.app.ctx as Services).mediaLoad.stop();
    const rows = await rowsOf(node.url);
    const all = await sql<{ node_id: string }>`select distinct node_id from media_load`.execute(testApp.app.ctx.db);
    expect(all.rows.map((row) => row.node_id)).toEqual([node.url]);
    // One row per minute, whoever sampled it; each with the node's real counts, not twice them.
    expect(new Set(rows.map((row) => new Date(row.minute).toISOString())).size).toBe(rows.length);
    for (const row of rows) expect(row).toMatchObject({ peers: 2, producers: 2, consumers: 2 });

    const res = await testApp.app.inject({ method: "GET", url: "/api/v1/admin/overview?days=7", headers: admin.auth });
    expect(res.statusCode).toBe(200);
    const overview = res.json() as AdminOverviewResponse;
    const today = overview.days.find((day) => day.day === new Date().toISOString().slice(0, 10))!;
    // A minute boundary may fall between two samples: the rows may start yesterday (UTC) only just after midnight.
    const todays = rows.filter((row) => new Date(row.minute).toISOString().slice(0, 10) === today.day);
    expect(today.media).toMatchObject({ nodes: 1, peakProducers: 2, peakConsumers: 2, minutesInUse: todays.length, mediaMinutes: 2 * todays.length });
    expect(today.media.peakBitsPerSecond).toBeGreaterThan(0);
    expect(today.media.averageBitsPerSecond).toBeGreaterThan(0);
    expect(today.media.peakPacketsPerSecond).toBeGreaterThan(0);
    expect(overview.totals.media).toMatchObject({ nodes: 1, peakProducers: 2, peakConsumers: 2, mediaMinutes: 2 * rows.length });

    expect((await testApp.app.inject({ method: "GET", url: "/api/v1/admin/overview" })).statusCode).toBe(401);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VtpProcess } from "../../helpers/process.js";
import { waitFor } from "../../helpers/wait.js";
import { startNodeProcess, TEST_SECRET } from "../media/helpers/modes.js";
import { Cluster } from "../signalling/cluster.js";
import type { TestClient } from "../rooms/helpers.js";
import { GroupMediaClient } from "./media-client.js";

/**
 * Breakout groups on two real `vtp start` processes sharing PostgreSQL, Redis and one `vtp media`
 * node: the group's members on different app servers see each other in the group, chat with each
 * other and hear each other; a member reconnecting through the other server lands in the group;
 * the teacher on one server brings everyone back.
 */
const cluster = new Cluster();
let nodeA: VtpProcess, nodeB: VtpProcess;
let mediaNode: Awaited<ReturnType<typeof startNodeProcess>>;
const media: GroupMediaClient[] = [];

beforeAll(async () => {
  mediaNode = await startNodeProcess(48000);
  await cluster.setUp({ MEDIA_NODES: mediaNode.url, MEDIA_SECRET: TEST_SECRET });
  [nodeA, nodeB] = await Promise.all([cluster.node(), cluster.node()]);
}, 120_000);
afterAll(async () => {
  for (const client of media) await client.close();
  await cluster.tearDown();
  await mediaNode?.stop();
});

async function join(node: VtpProcess, token: string, roomId: string, name: string): Promise<TestClient> {
  const client = await cluster.connect(node, token, name);
  const ack = await client.emit("join-room", { roomId });
  expect(ack.ok, `${name} joins: ${JSON.stringify(ack.error)}`).toBe(true);
  return client;
}

describe("breakout groups across two app servers", () => {
  it("a group's members on different servers see, read and hear each other; a reconnect through the other server lands in the group", async () => {
    const teacher = await cluster.account(nodeA, "Teacher", "teacher");
    const [ann, ben, cem] = await Promise.all(["Ann", "Ben", "Cem"].map((name) => cluster.account(nodeA, name, "student")));
    const room = (await cluster.api(nodeA, "POST", "/api/v1/rooms", { title: "Two servers" }, teacher.token)).body.room;
    const roomId = room.id as string;
    const host = await join(nodeA, teacher.token, roomId, "host@A");
    const annA = await join(nodeA, ann!.token, roomId, "ann@A");
    const benB = await join(nodeB, ben!.token, roomId, "ben@B");
    const cemB = await join(nodeB, cem!.token, roomId, "cem@B");

    const opened = await host.emit("breakout-open", {
      roomId,
      mode: "manual",
      groups: [{ name: "Pair", userIds: [ann!.id, ben!.id] }, { userIds: [cem!.id] }],
    });
    expect(opened.ok, JSON.stringify(opened.error)).toBe(true);
    const [pair, solo] = opened.state!.groups.map((g) => g.id) as [string, string];
    await annA.waitFor("breakout-moved", (event) => event.groupId === pair);
    await benB.waitFor("breakout-moved", (event) => event.groupId === pair);
    await cemB.waitFor("breakout-moved", (event) => event.groupId === solo);
    // Ben, on server B, sees Ann (server A) present in his group.
    const seen = (await benB.emit("breakout-state", { roomId })).state!.groups.find((g) => g.id === pair)!;
    expect(seen.members.map((m) => [m.name, m.present])).toEqual([
      ["Ann", true],
      ["Ben", true],
    ]);

    // Chat across the servers, to the group only.
    const sent = await annA.emit("breakout-chat-send", { roomId, text: "hello from A" });
    await benB.waitFor("breakout-chat-message", (event) => event.message.id === sent.message.id);
    expect(cemB.has("breakout-chat-message")).toBe(false);

    // Media across the servers through the shared media node.
    const annMedia = new GroupMediaClient(annA);
    const benMedia = new GroupMediaClient(benB);
    media.push(annMedia, benMedia);
    await benMedia.startReceiving();
    await annMedia.startReceiving();
    const annMic = await annMedia.publishMicrophone();
    const announced = await benB.waitFor("new-producer", (event) => event.producer.producerId === annMic);
    expect(announced.roomId).toBe(pair);
    expect(await benMedia.consume(annMic)).toBeUndefined();
    await waitFor("Ben (server B) hears Ann (server A)", () => benMedia.received(annMic) > 50, { timeoutMs: 30_000 });
    expect(cemB.has("new-producer", (event) => event.producer.producerId === annMic)).toBe(false);

    // Ben drops and comes back through server A: he lands in his group.
    benB.close();
    const benA = await join(nodeA, ben!.token, roomId, "ben@A");
    await benA.waitFor("breakout-moved", (event) => event.groupId === pair);
    await benA.emit("breakout-chat-send", { roomId, text: "back via A" });
    await annA.waitFor("breakout-chat-message", (event) => event.message.text === "back via A");

    // The teacher (server A) closes; Cem on server B is brought back too.
    expect((await host.emit("breakout-close", { roomId, countdownSeconds: 1 })).ok).toBe(true);
    await cemB.waitFor("breakout-closing", (event) => event.reason === "host");
    await cemB.waitFor("breakout-moved", (event) => event.groupId === null);
    await benA.waitFor("breakout-moved", (event) => event.groupId === null);
    const rows = await cluster.query("select seq, text from breakout_messages where group_id = $1 order by seq", [pair]);
    expect(rows.map((row: { text: string }) => row.text)).toEqual(["hello from A", "back via A"]);
  }, 120_000);
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { breakoutBroadcastPeerId } from "@vtp/protocol";
import type { TestApp } from "../../helpers/app.js";
import { waitFor } from "../../helpers/wait.js";
import { createRoom, joined, listeningApp, person, type Person, type TestClient } from "../rooms/helpers.js";
import { GroupMediaClient } from "./media-client.js";

/**
 * Breakout media at the RTP level (werift clients over the socket's media events, real SFU
 * workers): each group is a media room of its own on the media workers; students publish without
 * being promoted; a member's microphone reaches the members of their group and nobody else; the
 * teacher's voice, while broadcasting, reaches every group; back in the main room the media works again.
 */
let testApp: TestApp;
let url: string;
let teacher: Person;
let students: Person[];
const clients: TestClient[] = [];
const media: GroupMediaClient[] = [];

beforeAll(async () => {
  ({ t: testApp, url } = await listeningApp({ MEDIA_WORKERS: "2", RTC_MIN_PORT: "47600", RTC_MAX_PORT: "47799" }));
  teacher = await person(testApp, "teacher", "Teacher");
  students = await Promise.all(["Ann", "Ben", "Cem", "Dee"].map((name) => person(testApp, "student", name)));
}, 60_000);
afterAll(async () => {
  for (const client of media) await client.close();
  for (const client of clients) client.close();
  await testApp?.close();
});

describe("breakout media", () => {
  it("a group's microphones reach only the group; the teacher's broadcast reaches every group; media works back in the main room", async () => {
    const room = await createRoom(testApp, teacher);
    const host = (await joined(url, teacher, room.id)).c;
    const kids: TestClient[] = [];
    const participantIds: string[] = [];
    for (const student of students) {
      const { c, ack } = await joined(url, student, room.id);
      kids.push(c);
      participantIds.push(ack.participantId);
    }
    clients.push(host, ...kids);
    const roomId = room.id;

    // In the main room a student may not publish (the class's default).
    const before = new GroupMediaClient(kids[0]!);
    media.push(before);
    await expect(before.publishMicrophone()).rejects.toThrow(/NOT_ALLOWED_TO_PUBLISH/);

    const ids = students.map((s) => s.user.id);
    const opened = await host.emit("breakout-open", { roomId, mode: "manual", groups: [{ userIds: [ids[0]!, ids[1]!] }, { userIds: [ids[2]!, ids[3]!] }] });
    expect(opened.ok, JSON.stringify(opened.error)).toBe(true);
    const [one, two] = opened.state!.groups.map((g) => g.id) as [string, string];
    const groupOf = [one, one, two, two];
    for (const [i, kid] of kids.entries()) {
      await kid.waitFor("breakout-moved", (event) => event.groupId === groupOf[i]);
      await kid.emit("leave-media", {});
    }

    // Everyone publishes in their group (no promotion) and listens.
    // Group one speaks, group two is silent.
    const members = kids.map((kid, i) => new GroupMediaClient(kid, groupOf[i] === one ? 30 : 127));
    media.push(...members);
    for (const member of members) await member.startReceiving();
    for (const member of members) await member.publishMicrophone();
    const mics = members.map((m) => m.microphoneId);
    // Each learns of its mate's producer in its group's media room (roomId = the group's id).
    for (const [i, kid] of kids.entries()) {
      const mate = i % 2 === 0 ? i + 1 : i - 1;
      const announced = await kid.waitFor("new-producer", (event) => event.producer.producerId === mics[mate]);
      expect(announced.roomId).toBe(groupOf[i]);
      expect(await members[i]!.consume(mics[mate]!)).toBeUndefined();
    }
    // Another group's producer is not in my media room.
    expect(await members[0]!.consume(mics[2]!)).toBe("PRODUCER_NOT_FOUND");
    for (const [i, member] of members.entries()) {
      const mate = i % 2 === 0 ? i + 1 : i - 1;
      await waitFor(`${kids[i]!.name} hears their mate`, () => member.received(mics[mate]!) > 50, { timeoutMs: 30_000 });
    }
    // Connection quality measured in a group's media room reaches the member and the class's hosts
    // (under the class's id, as in the main room), and never another student.
    const own = await kids[2]!.waitFor("connection-quality", (event) => event.participantId === participantIds[2], 30_000);
    expect(own.roomId).toBe(roomId);
    await host.waitFor("connection-quality", (event) => event.participantId === participantIds[2], 30_000);
    expect(kids[0]!.has("connection-quality", (event) => event.participantId !== participantIds[0])).toBe(false);
    expect(kids[0]!.has("new-producer", (event) => event.producer.producerId === mics[2] || event.producer.producerId === mics[3])).toBe(false);
    expect(host.has("new-producer", (event) => mics.includes(event.producer.producerId))).toBe(false);

    // The teacher sees which group is talking (the SFU's speech measurement in each group's media room).
    const talking = await host.waitFor("breakout-state", (event) => !!event.state?.groups.find((g) => g.id === one)?.talking, 30_000);
    expect(talking.state?.groups.find((g) => g.id === two)?.talking).toBe(false);

    // The groups are media rooms of their own, spread over the two workers.
    const service = await testApp.app.ctx.media!.service();
    const rooms = await service.listRooms();
    const workers = new Set(rooms.filter((r) => r.roomId === one || r.roomId === two).map((r) => r.workerId));
    expect(workers.size).toBe(2);

    // The teacher speaks to all groups: the microphone in the main room, forwarded into each group.
    expect((await host.emit("breakout-broadcast-audio", { roomId, on: true })).error.code).toBe("PRODUCER_NOT_FOUND");
    const teacherMedia = new GroupMediaClient(host);
    media.push(teacherMedia);
    await teacherMedia.publishMicrophone();
    const broadcast = await host.emit("breakout-broadcast-audio", { roomId, on: true });
    expect(broadcast.ok, JSON.stringify(broadcast.error)).toBe(true);
    expect(broadcast.state).toMatchObject({ broadcasting: true, broadcastBy: "Teacher" });
    const relayPeer = breakoutBroadcastPeerId(opened.state!.sessionId);
    for (const [i, kid] of kids.entries()) {
      const voice = await kid.waitFor("new-producer", (event) => event.peerId === relayPeer && event.roomId === groupOf[i]);
      expect(voice.producer.source).toBe("microphone");
      expect(await members[i]!.consume(voice.producer.producerId)).toBeUndefined();
      await waitFor(`${kid.name} hears the teacher`, () => members[i]!.received(voice.producer.producerId) > 50, { timeoutMs: 30_000 });
    }
    const stopped = await host.emit("breakout-broadcast-audio", { roomId, on: false });
    expect(stopped.state?.broadcasting).toBe(false);
    for (const kid of kids) await kid.waitFor("producer-closed", (event) => event.peerId === relayPeer);
    // The consumer of the teacher's voice in a group is closed for its owner too (the group's media room).
    await kids[0]!.waitFor("consumer-closed", (event) => event.roomId === one && event.reason === "producer-closed");

    // Back in the main room: the groups' media is gone, and the teacher's microphone is there to hear.
    expect((await host.emit("breakout-close", { roomId, countdownSeconds: 0 })).ok).toBe(true);
    for (const kid of kids) await kid.waitFor("breakout-moved", (event) => event.groupId === null);
    await waitFor("the groups' media rooms closed", async () => !(await service.listRooms()).some((r) => r.roomId === one || r.roomId === two));
    await kids[0]!.emit("leave-media", {});
    const back = new GroupMediaClient(kids[0]!);
    media.push(back);
    const present = await back.startReceiving();
    expect(present.map((p) => p.producerId)).toContain(teacherMedia.microphoneId);
    expect(await back.consume(teacherMedia.microphoneId)).toBeUndefined();
    await waitFor("Ann hears the teacher in the main room", () => back.received(teacherMedia.microphoneId) > 50, { timeoutMs: 30_000 });
    await expect(back.publishMicrophone()).rejects.toThrow(/NOT_ALLOWED_TO_PUBLISH/);
  }, 180_000);
});

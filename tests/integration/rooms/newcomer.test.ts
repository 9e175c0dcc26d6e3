import type { RoomStatsListResponse } from "@vtp/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../../helpers/app.js";
import { makeAdmin } from "../../helpers/app.js";
import { createRoom, joined, listeningApp, person, TestClient, type Person } from "./helpers.js";

/** What a new teacher and students read: names in notices, refusals before set-up, CSV words and times, stored stats. */
describe("rooms as a newcomer meets them", () => {
  let testApp: TestApp;
  let url: string;
  let host: Person, ann: Person, bob: Person, cat: Person;
  let admin: Awaited<ReturnType<typeof makeAdmin>>;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    ({ t: testApp, url } = await listeningApp());
    host = await person(testApp, "teacher", "Hana Host");
    ann = await person(testApp, "student", "Ann");
    bob = await person(testApp, "student", "Bob");
    cat = await person(testApp, "student", "Cat");
    admin = await makeAdmin(testApp);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await testApp?.close();
  });

  const get = (path: string, who: { auth: { authorization: string } }) => testApp.app.inject({ method: "GET", url: path, headers: who.auth });

  it("a muted student learns the teacher's name; removed and denied people are told before they join", async () => {
    const room = await createRoom(testApp, host, { title: "Optics", settings: { studentsCanPublish: true } });
    const hostSession = await joined(url, host, room.id);
    const annSession = await joined(url, ann, room.id);
    clients.push(hostSession.c, annSession.c);

    expect((await hostSession.c.emit("mute-participant", { participantId: annSession.ack.participantId })).ok).toBe(true);
    const muted = await annSession.c.waitFor("muted");
    expect(muted).toMatchObject({ roomId: room.id, by: hostSession.ack.participantId, byName: "Hana Host" });

    expect((await get(`/api/v1/rooms/${room.id}/my-access`, ann)).json()).toEqual({ access: "open" });
    expect((await get(`/api/v1/rooms/${room.id}/my-access`, host)).json()).toEqual({ access: "host" });
    expect((await hostSession.c.emit("remove-participant", { participantId: annSession.ack.participantId })).ok).toBe(true);
    await annSession.c.waitFor("removed");
    expect((await get(`/api/v1/rooms/${room.id}/my-access`, ann)).json()).toEqual({ access: "removed" });
    const again = await TestClient.connect(url, ann.accessToken, "ann again");
    clients.push(again);
    expect(await again.emit("join-room", { roomId: room.id })).toMatchObject({ ok: false, error: { code: "REMOVED_FROM_ROOM" } });

    // Denied at the waiting room.
    const waitingRoom = await createRoom(testApp, host, { title: "Waiting", settings: { waitingRoom: true } });
    const h2 = await joined(url, host, waitingRoom.id);
    clients.push(h2.c);
    const bobClient = await TestClient.connect(url, bob.accessToken, "bob");
    clients.push(bobClient);
    expect(await bobClient.emit("join-room", { roomId: waitingRoom.id })).toMatchObject({ ok: false, error: { code: "WAITING_FOR_HOST" } });
    expect((await get(`/api/v1/rooms/${waitingRoom.id}/my-access`, bob)).json()).toEqual({ access: "open" });
    await h2.c.waitFor("waiting-updated", (event) => event.waiting.length === 1);
    expect((await h2.c.emit("reject", { userId: bob.user.id })).ok).toBe(true);
    await bobClient.waitFor("rejected");
    expect((await get(`/api/v1/rooms/${waitingRoom.id}/my-access`, bob)).json()).toEqual({ access: "rejected" });
    expect(await bobClient.emit("join-room", { roomId: waitingRoom.id })).toMatchObject({ ok: false, error: { code: "REJECTED_BY_HOST" } });
    expect((await get(`/api/v1/rooms/not-a-uuid/my-access`, bob)).statusCode).toBe(400);
  });

  it("the attendance CSV uses the page's role words, times with their offset, and a duration column", async () => {
    const room = await createRoom(testApp, host, { title: "Waves" });
    const hostSession = await joined(url, host, room.id);
    const bobSession = await joined(url, bob, room.id);
    const catSession = await joined(url, cat, room.id);
    clients.push(hostSession.c, bobSession.c, catSession.c);
    expect((await hostSession.c.emit("promote", { participantId: bobSession.ack.participantId })).ok).toBe(true);
    expect((await catSession.c.emit("leave-room", { roomId: room.id })).ok).toBe(true);
    await hostSession.c.waitFor("participant-left", (event) => event.userId === cat.user.id);

    const csvOf = async (query: string) => {
      const res = await get(`/api/v1/rooms/${room.id}/attendance?format=csv${query}`, host);
      expect(res.statusCode).toBe(200);
      return res.body.trim().split("\r\n");
    };
    const utc = await csvOf("");
    expect(utc[0]).toBe("Name,Email,Role,First joined,Last left,Duration (minutes),Joins");
    const row = (lines: string[], name: string) => lines.find((l) => l.startsWith(`${name},`))!.split(",");
    expect(row(utc, "Hana Host")[2]).toBe("Teacher");
    expect(row(utc, "Bob")[2]).toBe("Speaker");
    expect(row(utc, "Cat")[2]).toBe("Student");
    const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/;
    expect(row(utc, "Cat")[3]).toMatch(iso);
    expect(row(utc, "Cat")[3].endsWith("+00:00")).toBe(true);
    expect(row(utc, "Cat")[4]).toMatch(iso);
    expect(row(utc, "Bob")[4]).toBe("still in class");
    expect(row(utc, "Cat")[5]).toMatch(/^\d+\.\d$/);

    // The same instant in Paris (UTC+1 in winter, +2 in summer) and in Kolkata (+05:30).
    const paris = row(await csvOf("&tz=Europe%2FParis"), "Cat")[3];
    expect(paris).toMatch(/\+0[12]:00$/);
    expect(Date.parse(paris)).toBe(Date.parse(row(utc, "Cat")[3]));
    const kolkata = row(await csvOf("&tz=Asia%2FKolkata"), "Cat")[3];
    expect(kolkata.endsWith("+05:30")).toBe(true);
    expect(Date.parse(kolkata)).toBe(Date.parse(row(utc, "Cat")[3]));

    const bad = await get(`/api/v1/rooms/${room.id}/attendance?format=csv&tz=Mars%2FOlympus`, host);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe("VALIDATION_FAILED");
  });

  it("an ended class keeps its peak and message count for the admin's table", async () => {
    const room = await createRoom(testApp, host, { title: "Stats" });
    const hostSession = await joined(url, host, room.id);
    const annSession = await joined(url, ann, room.id); // removed from another class only
    const catSession = await joined(url, cat, room.id);
    clients.push(hostSession.c, annSession.c, catSession.c);
    expect((await catSession.c.emit("chat-send", { text: "hello" })).ok).toBe(true);
    expect((await hostSession.c.emit("chat-send", { text: "welcome" })).ok).toBe(true);
    expect((await hostSession.c.emit("end-room", { roomId: room.id })).ok).toBe(true);

    const other = await createRoom(testApp, host, { title: "Never started" });
    const res = await get(`/api/v1/rooms/stats?ids=${room.id},${other.id}`, admin);
    expect(res.statusCode).toBe(200);
    const stats = res.json<RoomStatsListResponse>().rooms;
    const ended = stats.find((s) => s.roomId === room.id);
    expect(ended).toMatchObject({ status: "ended", peakParticipants: 3, messages: 2, participantsOnline: 0 });
    expect(stats.find((s) => s.roomId === other.id)).toMatchObject({ status: "scheduled", peakParticipants: 0, messages: 0 });

    // The host sees their own rooms; a student sees none of them; bad ids are a 400.
    expect((await get(`/api/v1/rooms/stats?ids=${room.id}`, host)).json().rooms).toHaveLength(1);
    expect((await get(`/api/v1/rooms/stats?ids=${room.id}`, cat)).json().rooms).toEqual([]);
    expect((await get(`/api/v1/rooms/stats?ids=nope`, admin)).statusCode).toBe(400);
  });
});

import type { AttendanceResponse } from "@vtp/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../../helpers/app.js";
import { backends, createRoom, joined, listeningApp, person, TestClient, type Person } from "../rooms/helpers.js";

/** Waiting room, capacity, leaving, reconnects within the grace period, second tabs. */
describe.each(backends())("live state in %s", (_backend, env) => {
  let testApp: TestApp;
  let url: string;
  let host: Person, s1: Person, s2: Person, s3: Person;
  const clients: TestClient[] = [];
  const track = <T extends { c: TestClient }>(joinedClient: T) => {
    clients.push(joinedClient.c);
    return joinedClient;
  };
  const connect = async (who: Person) => {
    const client = await TestClient.connect(url, who.accessToken, who.user.fullName);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    ({ t: testApp, url } = await listeningApp(env)); // default grace period: 30 s
    host = await person(testApp, "teacher", "Host");
    s1 = await person(testApp, "student", "S1");
    s2 = await person(testApp, "student", "S2");
    s3 = await person(testApp, "student", "S3");
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await testApp?.close();
  });

  describe("waiting room", () => {
    it("the host sees who waits and admits or rejects them", async () => {
      const room = await createRoom(testApp, host, { settings: { waitingRoom: true } });
      const w1 = await connect(s1);
      const early = await w1.emit("join-room", { roomId: room.id });
      expect(early.error.code).toBe("WAITING_FOR_HOST");

      const hostSession = track(await joined(url, host, room.id));
      expect(hostSession.ack.waiting?.map((w) => w.userId)).toEqual([s1.user.id]);
      const w2 = await connect(s2);
      expect((await w2.emit("join-room", { roomId: room.id })).error.code).toBe("WAITING_FOR_HOST");
      await hostSession.c.waitFor("waiting-updated", (event) => event.waiting.length === 2);
      // Waiting people are not in the room.
      expect((await w2.emit("chat-send", { text: "let me in" })).error.code).toBe("NOT_IN_ROOM");
      expect((await hostSession.c.emit("get-participants", {})).participants).toHaveLength(1);

      expect((await hostSession.c.emit("admit", { userId: s1.user.id })).ok).toBe(true);
      await w1.waitFor("admitted", (event) => event.roomId === room.id);
      const in1 = await w1.emit("join-room", { roomId: room.id });
      expect(in1.ok).toBe(true);
      expect(in1.role).toBe("student");

      expect((await hostSession.c.emit("reject", { userId: s2.user.id })).ok).toBe(true);
      await w2.waitFor("rejected", (event) => event.roomId === room.id);
      expect((await w2.emit("join-room", { roomId: room.id })).error.code).toBe("REJECTED_BY_HOST");
      await hostSession.c.waitFor("waiting-updated", (event) => event.waiting.length === 0);

      // A waiting person who goes away leaves the list.
      const w3 = await connect(s3);
      expect((await w3.emit("join-room", { roomId: room.id })).error.code).toBe("WAITING_FOR_HOST");
      await hostSession.c.waitFor("waiting-updated", (event) => event.waiting.some((w) => w.userId === s3.user.id));
      w3.close();
      await hostSession.c.waitFor("waiting-updated", (event) => event.waiting.length === 0);
      // Admitted people come back without waiting, rejected ones after the host admits them.
      expect((await hostSession.c.emit("admit", { userId: s2.user.id })).ok).toBe(true);
      expect((await w2.emit("join-room", { roomId: room.id })).ok).toBe(true);
    });
  });

  describe("capacity and leaving", () => {
    it("ROOM_FULL beyond maxParticipants; hosts can always join; leave-room frees the place", async () => {
      const room = await createRoom(testApp, host, { settings: { maxParticipants: 2 } });
      const s1Session = track(await joined(url, s1, room.id));
      const s2Session = track(await joined(url, s2, room.id));
      const c3 = await connect(s3);
      expect((await c3.emit("join-room", { roomId: room.id })).error.code).toBe("ROOM_FULL");
      const hostSession = track(await joined(url, host, room.id));
      expect(hostSession.ack.participants).toHaveLength(3);
      expect((await s1Session.c.emit("leave-room", {})).ok).toBe(true);
      await hostSession.c.waitFor("participant-left", (event) => event.participantId === s1Session.ack.participantId && event.reason === "left");
      expect((await s1Session.c.emit("get-participants", {})).error.code).toBe("NOT_IN_ROOM");
      // The host counts too: still full.
      expect((await c3.emit("join-room", { roomId: room.id })).error.code).toBe("ROOM_FULL");
      expect((await s2Session.c.emit("leave-room", { roomId: room.id })).ok).toBe(true);
      expect((await c3.emit("join-room", { roomId: room.id })).ok).toBe(true);
      const att = (await testApp.app.inject({ method: "GET", url: `/api/v1/rooms/${room.id}/attendance`, headers: host.auth })).json<AttendanceResponse>()
        .attendance;
      const s1Row = att.find((r) => r.userId === s1.user.id);
      expect(s1Row).toMatchObject({ joins: 1, present: false });
      expect(s1Row?.lastLeaveAt).not.toBeNull();
      expect(att.find((r) => r.userId === s3.user.id)).toMatchObject({ present: true, lastLeaveAt: null });
    });
  });

  describe("reconnects and tabs", () => {
    it("a dropped student resumes the same participant (no leave/join), hand still raised", async () => {
      const room = await createRoom(testApp, host);
      const hostSession = track(await joined(url, host, room.id));
      const s1Session = await joined(url, s1, room.id);
      expect((await s1Session.c.emit("raise-hand", {})).position).toBe(1);
      s1Session.c.close();
      await hostSession.c.waitFor(
        "participant-updated",
        (event) => event.participant.id === s1Session.ack.participantId && event.participant.connected === false,
      );
      const again = track(await joined(url, s1, room.id));
      expect(again.ack.resumed).toBe(true);
      expect(again.ack.participantId).toBe(s1Session.ack.participantId);
      expect(again.ack.handQueue.map((e) => e.participantId)).toEqual([s1Session.ack.participantId]);
      await hostSession.c.waitFor(
        "participant-updated",
        (event) => event.participant.id === s1Session.ack.participantId && event.participant.connected === true,
      );
      expect(hostSession.c.has("participant-left")).toBe(false);
      expect(hostSession.c.received.filter((r) => r.event === "participant-joined")).toHaveLength(1);
      expect((await again.c.emit("chat-send", { text: "I'm back" })).ok).toBe(true);
      const att = (await testApp.app.inject({ method: "GET", url: `/api/v1/rooms/${room.id}/attendance`, headers: host.auth })).json<AttendanceResponse>()
        .attendance;
      expect(att.find((r) => r.userId === s1.user.id)?.joins).toBe(1);
    });

    it("status, participants and hand queue survive the host's reconnect", async () => {
      const room = await createRoom(testApp, host);
      const hostSession = await joined(url, host, room.id);
      const s1Session = track(await joined(url, s1, room.id));
      const s2Session = track(await joined(url, s2, room.id));
      await s2Session.c.emit("raise-hand", {});
      await s1Session.c.emit("raise-hand", {});
      hostSession.c.close();
      await s1Session.c.waitFor("participant-updated", (event) => event.participant.id === hostSession.ack.participantId && !event.participant.connected);
      const h2 = track(await joined(url, host, room.id));
      expect(h2.ack).toMatchObject({ resumed: true, participantId: hostSession.ack.participantId, role: "host" });
      expect(h2.ack.room.status).toBe("live");
      expect(h2.ack.participants.map((p) => p.name)).toEqual(["Host", "S1", "S2"]);
      expect(h2.ack.handQueue.map((e) => e.name)).toEqual(["S2", "S1"]);
      expect((await h2.c.emit("lower-hand", { participantId: s2Session.ack.participantId })).ok).toBe(true);
      await s1Session.c.waitFor("hand-queue", (event) => event.queue.length === 1 && event.queue[0].name === "S1");
    });

    it("a second tab of the same user takes over; the first tab is told and is out", async () => {
      const room = await createRoom(testApp, host);
      const hostSession = track(await joined(url, host, room.id));
      const tab1 = track(await joined(url, s3, room.id));
      const tab2 = track(await joined(url, s3, room.id));
      expect(tab2.ack).toMatchObject({ resumed: true, participantId: tab1.ack.participantId });
      await tab1.c.waitFor("session-replaced", (event) => event.roomId === room.id);
      expect((await tab1.c.emit("chat-send", { text: "from tab 1" })).error.code).toBe("NOT_IN_ROOM");
      expect((await tab2.c.emit("chat-send", { text: "from tab 2" })).ok).toBe(true);
      await hostSession.c.waitFor("chat-message", (event) => event.message.text === "from tab 2");
      // Closing the old tab does not affect the participant.
      tab1.c.close();
      const parts = (await hostSession.c.emit("get-participants", {})).participants;
      expect(parts).toHaveLength(2);
      expect(parts.find((p) => p.userId === s3.user.id)?.connected).toBe(true);
      expect(hostSession.c.received.filter((r) => r.event === "participant-joined")).toHaveLength(1);
      // The old tab no longer receives the room's broadcasts.
      await tab2.c.emit("chat-send", { text: "second" });
      await hostSession.c.waitFor("chat-message", (event) => event.message.text === "second");
      expect(tab1.c.has("chat-message", (event) => event.message.text === "second")).toBe(false);
    });
  });

  describe("grace period ends", () => {
    it("after reconnectGraceSeconds a dropped participant leaves (reason disconnected)", async () => {
      const short = await listeningApp({ ...env, RECONNECT_GRACE_SECONDS: "1" });
      try {
        const hh = await person(short.t, "teacher", "H");
        const ss = await person(short.t, "student", "S");
        const room = await createRoom(short.t, hh);
        const hostSession = await joined(short.url, hh, room.id);
        const student = await joined(short.url, ss, room.id);
        await student.c.emit("raise-hand", {});
        student.c.close();
        await hostSession.c.waitFor("participant-updated", (event) => !event.participant.connected);
        const left = await hostSession.c.waitFor("participant-left", (event) => event.participantId === student.ack.participantId);
        expect(left.reason).toBe("disconnected");
        await hostSession.c.waitFor("hand-queue", (event) => event.queue.length === 0);
        const again = await joined(short.url, ss, room.id);
        expect(again.ack.resumed).toBe(false);
        expect(again.ack.participantId).not.toBe(student.ack.participantId);
        const att = (await short.t.app.inject({ method: "GET", url: `/api/v1/rooms/${room.id}/attendance`, headers: hh.auth })).json<AttendanceResponse>()
          .attendance;
        expect(att.find((r) => r.userId === ss.user.id)?.joins).toBe(2);
        hostSession.c.close();
        again.c.close();
      } finally {
        await short.t.close();
      }
    });
  });
});

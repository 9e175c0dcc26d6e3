import type { AttendanceResponse, ChatHistoryResponse, RoomListResponse } from "@vtp/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../../helpers/app.js";
import { backends, createRoom, joined, listeningApp, person, type TestClient, type Person } from "../rooms/helpers.js";

/** A whole class over real Socket.IO connections: host + 3 students. */
describe.each(backends())("live state in %s", (_backend, env) => {
  let testApp: TestApp;
  let url: string;
  let host: Person, ann: Person, bob: Person, cat: Person;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    ({ t: testApp, url } = await listeningApp(env));
    host = await person(testApp, "teacher", "Hana Host");
    ann = await person(testApp, "student", "Ann");
    bob = await person(testApp, "student", "Bob");
    cat = await person(testApp, "student", "Cat");
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await testApp?.close();
  });

  describe("a full class", () => {
    it("join, chat, history, hands in order, promote, remove, end, attendance", async () => {
      const room = await createRoom(testApp, host, { title: "Cells" });
      expect(room.status).toBe("scheduled");

      // Host joins first: the room goes live.
      const hostSession = await joined(url, host, room.id);
      clients.push(hostSession.c);
      expect(hostSession.ack.role).toBe("host");
      expect(hostSession.ack.room.status).toBe("live");
      expect(hostSession.ack.participants).toHaveLength(1);
      expect(hostSession.ack.waiting).toEqual([]);
      expect(hostSession.ack.resumed).toBe(false);

      const annSession = await joined(url, ann, room.id);
      const bobSession = await joined(url, bob, room.id);
      const catSession = await joined(url, cat, room.id);
      clients.push(annSession.c, bobSession.c, catSession.c);
      expect(catSession.ack.role).toBe("student");
      expect(catSession.ack.canPublish).toBe(false);
      expect(catSession.ack.participants.map((p) => p.name)).toEqual(["Hana Host", "Ann", "Bob", "Cat"]);
      expect(catSession.ack.waiting).toBeUndefined();
      for (const name of ["Ann", "Bob", "Cat"]) await hostSession.c.waitFor("participant-joined", (event) => event.participant.name === name);
      await annSession.c.waitFor("participant-joined", (event) => event.participant.name === "Cat");
      expect(annSession.c.has("participant-joined", (event) => event.participant.name === "Ann")).toBe(false);

      // Chat: trimmed, numbered per room, broadcast to everyone.
      const m1 = await annSession.c.emit("chat-send", { text: "  hello class  " });
      expect(m1).toMatchObject({ ok: true, message: { seq: 1, text: "hello class", authorName: "Ann", userId: ann.user.id, deleted: false } });
      const m2 = await hostSession.c.emit("chat-send", { text: "welcome" });
      expect(m2.message.seq).toBe(2);
      for (const x of [hostSession, annSession, bobSession, catSession]) {
        await x.c.waitFor("chat-message", (event) => event.message.seq === 1 && event.message.text === "hello class");
        await x.c.waitFor("chat-message", (event) => event.message.seq === 2);
      }
      const hist = await testApp.app.inject({ method: "GET", url: `/api/v1/rooms/${room.id}/messages?after=1`, headers: bob.auth });
      expect(hist.statusCode).toBe(200);
      expect(hist.json()).toEqual({ messages: [expect.objectContaining({ seq: 2, text: "welcome" })], hasMore: false });
      const page = (
        await testApp.app.inject({ method: "GET", url: `/api/v1/rooms/${room.id}/messages?limit=1`, headers: host.auth })
      ).json<ChatHistoryResponse>();
      expect(page.messages.map((m) => m.seq)).toEqual([1]);
      expect(page.hasMore).toBe(true);

      // Raised hands: first raised, first in the queue.
      expect((await bobSession.c.emit("raise-hand", {})).position).toBe(1);
      expect((await annSession.c.emit("raise-hand", {})).position).toBe(2);
      expect((await catSession.c.emit("raise-hand")).position).toBe(3);
      expect((await annSession.c.emit("raise-hand", {})).position).toBe(2); // raising again changes nothing
      const queue = await hostSession.c.waitFor("hand-queue", (event) => event.queue.length === 3);
      expect(queue.queue.map((e) => e.name)).toEqual(["Bob", "Ann", "Cat"]);
      // The host lowers Ann's hand; Cat lowers her own.
      expect((await hostSession.c.emit("lower-hand", { participantId: annSession.ack.participantId })).ok).toBe(true);
      await hostSession.c.waitFor("hand-queue", (event) => event.queue.map((x) => x.name).join() === "Bob,Cat");
      expect((await catSession.c.emit("lower-hand", {})).ok).toBe(true);
      await hostSession.c.waitFor("hand-queue", (event) => event.queue.map((x) => x.name).join() === "Bob");
      const info = await hostSession.c.emit("get-room-info", {});
      expect(info).toMatchObject({ ok: true, participantCount: 4, handQueue: [expect.objectContaining({ name: "Bob" })] });

      // Promote Bob to presenter, then demote.
      const pr = await hostSession.c.emit("promote", { participantId: bobSession.ack.participantId });
      expect(pr.participant).toMatchObject({ role: "presenter", canPublish: true });
      await catSession.c.waitFor(
        "participant-updated",
        (event) => event.participant.id === bobSession.ack.participantId && event.participant.role === "presenter",
      );
      const dm = await hostSession.c.emit("demote", { participantId: bobSession.ack.participantId });
      expect(dm.participant).toMatchObject({ role: "student", canPublish: false });

      // Remove Cat: she is out and cannot come back until re-admitted.
      expect((await hostSession.c.emit("remove-participant", { participantId: catSession.ack.participantId })).ok).toBe(true);
      await catSession.c.waitFor("removed", (event) => event.roomId === room.id);
      await annSession.c.waitFor("participant-left", (event) => event.participantId === catSession.ack.participantId && event.reason === "removed");
      expect((await catSession.c.emit("chat-send", { text: "still here?" })).error.code).toBe("NOT_IN_ROOM");
      expect((await catSession.c.emit("join-room", { roomId: room.id })).error.code).toBe("REMOVED_FROM_ROOM");
      const parts = await annSession.c.emit("get-participants", {});
      expect(parts.participants.map((p) => p.name)).toEqual(["Hana Host", "Ann", "Bob"]);
      expect((await hostSession.c.emit("admit", { userId: cat.user.id })).ok).toBe(true);
      const back = await catSession.c.emit("join-room", { roomId: room.id });
      expect(back.ok).toBe(true);
      expect(back.messages.map((m) => m.seq)).toEqual([1, 2]);

      // The host deletes a message: broadcast, kept as deleted.
      expect((await hostSession.c.emit("chat-delete", { messageId: m1.message.id })).ok).toBe(true);
      await bobSession.c.waitFor("chat-deleted", (event) => event.messageId === m1.message.id && event.seq === 1);
      const after = (await testApp.app.inject({ method: "GET", url: `/api/v1/rooms/${room.id}/messages`, headers: host.auth })).json();
      expect(after.messages[0]).toMatchObject({ seq: 1, deleted: true, text: "" });

      // Stats while live.
      const stats = (await testApp.app.inject({ method: "GET", url: `/api/v1/signalling/room/stats?room_id=${room.id}`, headers: host.auth })).json().stats;
      expect(stats).toMatchObject({ status: "live", participantsOnline: 4, peakParticipants: 4, messages: 1, raisedHands: 1, handsRaisedTotal: 3 });

      // End: everyone gets room-ended, the room is ended, nobody can join.
      expect((await hostSession.c.emit("end-room", {})).ok).toBe(true);
      for (const x of [hostSession, annSession, bobSession]) await x.c.waitFor("room-ended", (event) => event.roomId === room.id);
      await catSession.c.waitFor("room-ended");
      expect((await annSession.c.emit("chat-send", { text: "hello?" })).error.code).toBe("NOT_IN_ROOM");
      expect((await annSession.c.emit("join-room", { roomId: room.id })).error.code).toBe("ROOM_ENDED");
      const ended = (await testApp.app.inject({ method: "GET", url: `/api/v1/rooms/${room.id}`, headers: ann.auth })).json().room;
      expect(ended.status).toBe("ended");

      // Attendance: per person, Cat joined twice.
      const att = await testApp.app.inject({ method: "GET", url: `/api/v1/rooms/${room.id}/attendance`, headers: host.auth });
      expect(att.statusCode).toBe(200);
      const rows = att.json<AttendanceResponse>().attendance;
      expect(rows.map((r) => r.name).sort()).toEqual(["Ann", "Bob", "Cat", "Hana Host"]);
      const catRow = rows.find((r) => r.name === "Cat");
      expect(catRow).toMatchObject({ joins: 2, role: "student", email: cat.user.email, present: false });
      expect(catRow?.lastLeaveAt).not.toBeNull();
      expect(rows.find((r) => r.name === "Hana Host")?.role).toBe("host");
      expect(rows.find((r) => r.name === "Bob")?.role).toBe("student");
      for (const r of rows) expect(r.totalMinutes).toBeGreaterThanOrEqual(0);
      const csv = await testApp.app.inject({ method: "GET", url: `/api/v1/rooms/${room.id}/attendance?format=csv`, headers: host.auth });
      expect(csv.statusCode).toBe(200);
      expect(csv.headers["content-type"]).toMatch(/^text\/csv/);
      expect(csv.headers["content-disposition"]).toMatch(/attachment; filename="attendance-\w+\.csv"/);
      const lines = csv.body.trim().split("\r\n");
      expect(lines[0]).toBe("Name,Email,Role,First joined,Last left,Duration (minutes),Joins");
      expect(lines).toHaveLength(5);
      expect(lines.find((l) => l.startsWith("Cat,"))).toContain(`,${cat.user.email},Student,`);
      // Students joined, so the room is in their list.
      const list = (await testApp.app.inject({ method: "GET", url: "/api/v1/rooms?scope=joined", headers: bob.auth })).json<RoomListResponse>();
      expect(list.rooms.map((r) => r.id)).toContain(room.id);
    });
  });
});

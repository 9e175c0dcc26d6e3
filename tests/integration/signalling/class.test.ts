import type { AttendanceResponse, ChatHistoryResponse, RoomListResponse } from "@vtp/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../../helpers/app.js";
import { backends, createRoom, joined, listeningApp, person, type TestClient, type Person } from "../rooms/helpers.js";

/** A whole class over real Socket.IO connections: host + 3 students. */
describe.each(backends())("live state in %s", (_backend, env) => {
  let t: TestApp;
  let url: string;
  let host: Person, ann: Person, bob: Person, cat: Person;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    ({ t, url } = await listeningApp(env));
    host = await person(t, "teacher", "Hana Host");
    ann = await person(t, "student", "Ann");
    bob = await person(t, "student", "Bob");
    cat = await person(t, "student", "Cat");
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await t?.close();
  });

  describe("a full class", () => {
    it("join, chat, history, hands in order, promote, remove, end, attendance", async () => {
      const room = await createRoom(t, host, { title: "Cells" });
      expect(room.status).toBe("scheduled");

      // Host joins first: the room goes live.
      const h = await joined(url, host, room.id);
      clients.push(h.c);
      expect(h.ack.role).toBe("host");
      expect(h.ack.room.status).toBe("live");
      expect(h.ack.participants).toHaveLength(1);
      expect(h.ack.waiting).toEqual([]);
      expect(h.ack.resumed).toBe(false);

      const a = await joined(url, ann, room.id);
      const b = await joined(url, bob, room.id);
      const c = await joined(url, cat, room.id);
      clients.push(a.c, b.c, c.c);
      expect(c.ack.role).toBe("student");
      expect(c.ack.canPublish).toBe(false);
      expect(c.ack.participants.map((p) => p.name)).toEqual(["Hana Host", "Ann", "Bob", "Cat"]);
      expect(c.ack.waiting).toBeUndefined();
      for (const name of ["Ann", "Bob", "Cat"]) await h.c.waitFor("participant-joined", (e) => e.participant.name === name);
      await a.c.waitFor("participant-joined", (e) => e.participant.name === "Cat");
      expect(a.c.has("participant-joined", (e) => e.participant.name === "Ann")).toBe(false);

      // Chat: trimmed, numbered per room, broadcast to everyone.
      const m1 = await a.c.emit("chat-send", { text: "  hello class  " });
      expect(m1).toMatchObject({ ok: true, message: { seq: 1, text: "hello class", authorName: "Ann", userId: ann.user.id, deleted: false } });
      const m2 = await h.c.emit("chat-send", { text: "welcome" });
      expect(m2.message.seq).toBe(2);
      for (const x of [h, a, b, c]) {
        await x.c.waitFor("chat-message", (e) => e.message.seq === 1 && e.message.text === "hello class");
        await x.c.waitFor("chat-message", (e) => e.message.seq === 2);
      }
      const hist = await t.app.inject({ method: "GET", url: `/api/v1/rooms/${room.id}/messages?after=1`, headers: bob.auth });
      expect(hist.statusCode).toBe(200);
      expect(hist.json()).toEqual({ messages: [expect.objectContaining({ seq: 2, text: "welcome" })], hasMore: false });
      const page = (await t.app.inject({ method: "GET", url: `/api/v1/rooms/${room.id}/messages?limit=1`, headers: host.auth })).json<ChatHistoryResponse>();
      expect(page.messages.map((m) => m.seq)).toEqual([1]);
      expect(page.hasMore).toBe(true);

      // Raised hands: first raised, first in the queue.
      expect((await b.c.emit("raise-hand", {})).position).toBe(1);
      expect((await a.c.emit("raise-hand", {})).position).toBe(2);
      expect((await c.c.emit("raise-hand")).position).toBe(3);
      expect((await a.c.emit("raise-hand", {})).position).toBe(2); // raising again changes nothing
      const q = await h.c.waitFor("hand-queue", (e) => e.queue.length === 3);
      expect(q.queue.map((e) => e.name)).toEqual(["Bob", "Ann", "Cat"]);
      // The host lowers Ann's hand; Cat lowers her own.
      expect((await h.c.emit("lower-hand", { participantId: a.ack.participantId })).ok).toBe(true);
      await h.c.waitFor("hand-queue", (e) => e.queue.map((x) => x.name).join() === "Bob,Cat");
      expect((await c.c.emit("lower-hand", {})).ok).toBe(true);
      await h.c.waitFor("hand-queue", (e) => e.queue.map((x) => x.name).join() === "Bob");
      const info = await h.c.emit("get-room-info", {});
      expect(info).toMatchObject({ ok: true, participantCount: 4, handQueue: [expect.objectContaining({ name: "Bob" })] });

      // Promote Bob to presenter, then demote.
      const pr = await h.c.emit("promote", { participantId: b.ack.participantId });
      expect(pr.participant).toMatchObject({ role: "presenter", canPublish: true });
      await c.c.waitFor("participant-updated", (e) => e.participant.id === b.ack.participantId && e.participant.role === "presenter");
      const dm = await h.c.emit("demote", { participantId: b.ack.participantId });
      expect(dm.participant).toMatchObject({ role: "student", canPublish: false });

      // Remove Cat: she is out and cannot come back until re-admitted.
      expect((await h.c.emit("remove-participant", { participantId: c.ack.participantId })).ok).toBe(true);
      await c.c.waitFor("removed", (e) => e.roomId === room.id);
      await a.c.waitFor("participant-left", (e) => e.participantId === c.ack.participantId && e.reason === "removed");
      expect((await c.c.emit("chat-send", { text: "still here?" })).error.code).toBe("NOT_IN_ROOM");
      expect((await c.c.emit("join-room", { roomId: room.id })).error.code).toBe("REMOVED_FROM_ROOM");
      const parts = await a.c.emit("get-participants", {});
      expect(parts.participants.map((p) => p.name)).toEqual(["Hana Host", "Ann", "Bob"]);
      expect((await h.c.emit("admit", { userId: cat.user.id })).ok).toBe(true);
      const back = await c.c.emit("join-room", { roomId: room.id });
      expect(back.ok).toBe(true);
      expect(back.messages.map((m) => m.seq)).toEqual([1, 2]);

      // The host deletes a message: broadcast, kept as deleted.
      expect((await h.c.emit("chat-delete", { messageId: m1.message.id })).ok).toBe(true);
      await b.c.waitFor("chat-deleted", (e) => e.messageId === m1.message.id && e.seq === 1);
      const after = (await t.app.inject({ method: "GET", url: `/api/v1/rooms/${room.id}/messages`, headers: host.auth })).json();
      expect(after.messages[0]).toMatchObject({ seq: 1, deleted: true, text: "" });

      // Stats while live.
      const stats = (await t.app.inject({ method: "GET", url: `/api/v1/signalling/room/stats?room_id=${room.id}`, headers: host.auth })).json().stats;
      expect(stats).toMatchObject({ status: "live", participantsOnline: 4, peakParticipants: 4, messages: 1, raisedHands: 1, handsRaisedTotal: 3 });

      // End: everyone gets room-ended, the room is ended, nobody can join.
      expect((await h.c.emit("end-room", {})).ok).toBe(true);
      for (const x of [h, a, b]) await x.c.waitFor("room-ended", (e) => e.roomId === room.id);
      await c.c.waitFor("room-ended");
      expect((await a.c.emit("chat-send", { text: "hello?" })).error.code).toBe("NOT_IN_ROOM");
      expect((await a.c.emit("join-room", { roomId: room.id })).error.code).toBe("ROOM_ENDED");
      const ended = (await t.app.inject({ method: "GET", url: `/api/v1/rooms/${room.id}`, headers: ann.auth })).json().room;
      expect(ended.status).toBe("ended");

      // Attendance: per person, Cat joined twice.
      const att = await t.app.inject({ method: "GET", url: `/api/v1/rooms/${room.id}/attendance`, headers: host.auth });
      expect(att.statusCode).toBe(200);
      const rows = att.json<AttendanceResponse>().attendance;
      expect(rows.map((r) => r.name).sort()).toEqual(["Ann", "Bob", "Cat", "Hana Host"]);
      const catRow = rows.find((r) => r.name === "Cat");
      expect(catRow).toMatchObject({ joins: 2, role: "student", email: cat.user.email, present: false });
      expect(catRow?.lastLeaveAt).not.toBeNull();
      expect(rows.find((r) => r.name === "Hana Host")?.role).toBe("host");
      expect(rows.find((r) => r.name === "Bob")?.role).toBe("student");
      for (const r of rows) expect(r.totalMinutes).toBeGreaterThanOrEqual(0);
      const csv = await t.app.inject({ method: "GET", url: `/api/v1/rooms/${room.id}/attendance?format=csv`, headers: host.auth });
      expect(csv.statusCode).toBe(200);
      expect(csv.headers["content-type"]).toMatch(/^text\/csv/);
      expect(csv.headers["content-disposition"]).toMatch(/attachment; filename="attendance-\w+\.csv"/);
      const lines = csv.body.trim().split("\r\n");
      expect(lines[0]).toBe("Name,Email,Role,First joined,Last left,Duration (minutes),Joins");
      expect(lines).toHaveLength(5);
      expect(lines.find((l) => l.startsWith("Cat,"))).toContain(`,${cat.user.email},Student,`);
      // Students joined, so the room is in their list.
      const list = (await t.app.inject({ method: "GET", url: "/api/v1/rooms?scope=joined", headers: bob.auth })).json<RoomListResponse>();
      expect(list.rooms.map((r) => r.id)).toContain(room.id);
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../../helpers/app.js";
import { makeAdmin } from "../../helpers/app.js";
import type { VtpProcess } from "../../helpers/process.js";
import { Cluster } from "../signalling/cluster.js";
import { backends, createRoom, joined, listeningApp, person, TestClient, type Person } from "../rooms/helpers.js";

/**
 * An admin's decision acts on live sockets at once: disabling an account, or changing its role,
 * ends its open connections (`session-ended`, then a disconnect), on every node; a participant
 * removed from a class can no longer act in it.
 */
const disconnected = (c: TestClient) =>
  new Promise<string>((resolve) => {
    if (!c.socket.connected) return resolve("already");
    c.socket.once("disconnect", (reason) => resolve(reason));
  });

async function connectError(url: string, token: string): Promise<string | undefined> {
  try {
    const c = await TestClient.connect(url, token);
    c.close();
    return "connected";
  } catch (err) {
    return (err as { data?: { code?: string } }).data?.code;
  }
}

describe.each(backends())("live access (%s)", (_name, env) => {
  let t: TestApp;
  let url: string;
  let host: Person;
  let admin: Awaited<ReturnType<typeof makeAdmin>>;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    ({ t, url } = await listeningApp(env));
    host = await person(t, "teacher", "Host");
    admin = await makeAdmin(t);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await t?.close();
  });

  it("disabling a student ends their live socket at once: session-ended, disconnected, gone from the class; the old token cannot reconnect", async () => {
    const student = await person(t, "student", "Soon Disabled");
    const room = await createRoom(t, host);
    const h = await joined(url, host, room.id);
    const s = await joined(url, student, room.id);
    const other = await TestClient.connect(url, student.accessToken, "second tab");
    clients.push(h.c, s.c, other);
    expect((await s.c.emit("chat-send", { text: "before" })).ok).toBe(true);

    const gone = [disconnected(s.c), disconnected(other)];
    const res = await t.app.inject({ method: "PATCH", url: `/api/v1/admin/users/${student.user.id}`, headers: admin.auth, payload: { disabled: true } });
    expect(res.statusCode).toBe(200);

    const ended = await s.c.waitFor("session-ended");
    expect(ended).toEqual({ reason: "account-disabled", message: expect.stringMatching(/disabled/i) });
    expect((await other.waitFor("session-ended")).reason).toBe("account-disabled");
    expect(await Promise.all(gone)).toEqual(["io server disconnect", "io server disconnect"]);
    // Gone from the class at once (no reconnect grace), as the host sees it.
    const left = await h.c.waitFor("participant-left", (e) => e.userId === student.user.id);
    expect(left.reason).toBe("left");
    const ps = await h.c.emit("get-participants", {});
    expect(ps.participants.map((p) => p.userId)).not.toContain(student.user.id);
    expect((await h.c.emit("chat-send", { text: "after" })).message.seq).toBe(2);
    expect(await connectError(url, student.accessToken)).toBe("ACCOUNT_DISABLED");
  });

  it("changing a user's role ends their live sockets with role-changed; reconnecting acts with the new role", async () => {
    const teacher = await person(t, "teacher", "Demoted Teacher");
    const c = await TestClient.connect(url, teacher.accessToken, "teacher");
    clients.push(c);
    const gone = disconnected(c);
    const res = await t.app.inject({ method: "PATCH", url: `/api/v1/admin/users/${teacher.user.id}`, headers: admin.auth, payload: { role: "student" } });
    expect(res.statusCode).toBe(200);
    expect((await c.waitFor("session-ended")).reason).toBe("role-changed");
    expect(await gone).toBe("io server disconnect");
    // The same access token reconnects; the server reads the account's role again.
    const again = await TestClient.connect(url, teacher.accessToken, "teacher again");
    clients.push(again);
    const room = await createRoom(t, host);
    expect((await again.emit("join-room", { roomId: room.id })).role).toBe("student");
    // Patching the role to the one it already has ends nothing.
    await t.app.inject({ method: "PATCH", url: `/api/v1/admin/users/${teacher.user.id}`, headers: admin.auth, payload: { role: "student" } });
    expect((await again.emit("get-participants", {})).ok).toBe(true);
    expect(again.has("session-ended")).toBe(false);
  });

  it("a participant removed from the class can no longer chat, raise a hand or list participants there", async () => {
    const student = await person(t, "student", "Removed");
    const room = await createRoom(t, host);
    const h = await joined(url, host, room.id);
    const s = await joined(url, student, room.id);
    clients.push(h.c, s.c);
    expect((await h.c.emit("remove-participant", { participantId: s.ack.participantId })).ok).toBe(true);
    await s.c.waitFor("removed");
    for (const ack of [
      await s.c.emit("chat-send", { roomId: room.id, text: "still?" }),
      await s.c.emit("raise-hand", { roomId: room.id }),
      await s.c.emit("get-participants", { roomId: room.id }),
    ]) {
      expect(ack.ok).toBe(false);
      expect(ack.error.code).toBe("NOT_IN_ROOM");
    }
    expect((await s.c.emit("join-room", { roomId: room.id })).error.code).toBe("REMOVED_FROM_ROOM");
    // Nor does the class's chat reach them any more (their later ack comes after any broadcast sent before it).
    expect((await h.c.emit("chat-send", { text: "after the removal" })).ok).toBe(true);
    await h.c.waitFor("chat-message", (e) => e.message.text === "after the removal");
    expect((await s.c.emit("get-participants", { roomId: room.id })).error.code).toBe("NOT_IN_ROOM");
    expect(s.c.has("chat-message", (e) => e.message.text === "after the removal")).toBe(false);
  });
});

describe("live access across two app servers (Redis)", () => {
  const cluster = new Cluster();
  let nodeA: VtpProcess, nodeB: VtpProcess;
  beforeAll(async () => {
    await cluster.setUp();
    [nodeA, nodeB] = await Promise.all([cluster.node(), cluster.node()]);
  }, 60_000);
  afterAll(() => cluster.tearDown());

  it("an admin on node A disables a student connected to node B: the student's socket ends at once", async () => {
    const teacher = await cluster.account(nodeA, "Teacher", "teacher");
    const admin = await cluster.account(nodeA, "Admin", "admin");
    const student = await cluster.account(nodeB, "Student", "student");
    const room = (await cluster.api(nodeA, "POST", "/api/v1/rooms", { title: "Two nodes" }, teacher.token)).body.room;
    const h = await cluster.connect(nodeA, teacher.token, "host@A");
    expect((await h.emit("join-room", { roomId: room.id })).ok).toBe(true);
    const s = await cluster.connect(nodeB, student.token, "student@B");
    expect((await s.emit("join-room", { roomId: room.id })).ok).toBe(true);
    await h.waitFor("participant-joined", (e) => e.participant.userId === student.id);

    const gone = disconnected(s);
    expect((await cluster.api(nodeA, "PATCH", `/api/v1/admin/users/${student.id}`, { disabled: true }, admin.token)).status).toBe(200);
    expect((await s.waitFor("session-ended")).reason).toBe("account-disabled");
    expect(await gone).toBe("io server disconnect");
    expect((await h.waitFor("participant-left", (e) => e.userId === student.id)).reason).toBe("left");
  });
});

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
const disconnected = (client: TestClient) =>
  new Promise<string>((resolve) => {
    if (!client.socket.connected) return resolve("already");
    client.socket.once("disconnect", (reason) => resolve(reason));
  });

async function connectError(url: string, token: string): Promise<string | undefined> {
  try {
    const client = await TestClient.connect(url, token);
    client.close();
    return "connected";
  } catch (err) {
    return (err as { data?: { code?: string } }).data?.code;
  }
}

describe.each(backends())("live access (%s)", (_name, env) => {
  let testApp: TestApp;
  let url: string;
  let host: Person;
  let admin: Awaited<ReturnType<typeof makeAdmin>>;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    ({ t: testApp, url } = await listeningApp(env));
    host = await person(testApp, "teacher", "Host");
    admin = await makeAdmin(testApp);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await testApp?.close();
  });

  it("disabling a student ends their live socket at once: session-ended, disconnected, gone from the class; the old token cannot reconnect", async () => {
    const student = await person(testApp, "student", "Soon Disabled");
    const room = await createRoom(testApp, host);
    const hostSession = await joined(url, host, room.id);
    const studentSession = await joined(url, student, room.id);
    const other = await TestClient.connect(url, student.accessToken, "second tab");
    clients.push(hostSession.c, studentSession.c, other);
    expect((await studentSession.c.emit("chat-send", { text: "before" })).ok).toBe(true);

    const gone = [disconnected(studentSession.c), disconnected(other)];
    const res = await testApp.app.inject({ method: "PATCH", url: `/api/v1/admin/users/${student.user.id}`, headers: admin.auth, payload: { disabled: true } });
    expect(res.statusCode).toBe(200);

    const ended = await studentSession.c.waitFor("session-ended");
    expect(ended).toEqual({ reason: "account-disabled", message: expect.stringMatching(/disabled/i) });
    expect((await other.waitFor("session-ended")).reason).toBe("account-disabled");
    expect(await Promise.all(gone)).toEqual(["io server disconnect", "io server disconnect"]);
    // Gone from the class at once (no reconnect grace), as the host sees it.
    const left = await hostSession.c.waitFor("participant-left", (event) => event.userId === student.user.id);
    expect(left.reason).toBe("left");
    const ps = await hostSession.c.emit("get-participants", {});
    expect(ps.participants.map((p) => p.userId)).not.toContain(student.user.id);
    expect((await hostSession.c.emit("chat-send", { text: "after" })).message.seq).toBe(2);
    expect(await connectError(url, student.accessToken)).toBe("ACCOUNT_DISABLED");
  });

  it("changing a user's role ends their live sockets with role-changed; reconnecting acts with the new role", async () => {
    const teacher = await person(testApp, "teacher", "Demoted Teacher");
    const client = await TestClient.connect(url, teacher.accessToken, "teacher");
    clients.push(client);
    const gone = disconnected(client);
    const res = await testApp.app.inject({ method: "PATCH", url: `/api/v1/admin/users/${teacher.user.id}`, headers: admin.auth, payload: { role: "student" } });
    expect(res.statusCode).toBe(200);
    expect((await client.waitFor("session-ended")).reason).toBe("role-changed");
    expect(await gone).toBe("io server disconnect");
    // The same access token reconnects; the server reads the account's role again.
    const again = await TestClient.connect(url, teacher.accessToken, "teacher again");
    clients.push(again);
    const room = await createRoom(testApp, host);
    expect((await again.emit("join-room", { roomId: room.id })).role).toBe("student");
    // Patching the role to the one it already has ends nothing.
    await testApp.app.inject({ method: "PATCH", url: `/api/v1/admin/users/${teacher.user.id}`, headers: admin.auth, payload: { role: "student" } });
    expect((await again.emit("get-participants", {})).ok).toBe(true);
    expect(again.has("session-ended")).toBe(false);
  });

  it("a participant removed from the class can no longer chat, raise a hand or list participants there", async () => {
    const student = await person(testApp, "student", "Removed");
    const room = await createRoom(testApp, host);
    const hostSession = await joined(url, host, room.id);
    const studentSession = await joined(url, student, room.id);
    clients.push(hostSession.c, studentSession.c);
    expect((await hostSession.c.emit("remove-participant", { participantId: studentSession.ack.participantId })).ok).toBe(true);
    await studentSession.c.waitFor("removed");
    for (const ack of [
      await studentSession.c.emit("chat-send", { roomId: room.id, text: "still?" }),
      await studentSession.c.emit("raise-hand", { roomId: room.id }),
      await studentSession.c.emit("get-participants", { roomId: room.id }),
    ]) {
      expect(ack.ok).toBe(false);
      expect(ack.error.code).toBe("NOT_IN_ROOM");
    }
    expect((await studentSession.c.emit("join-room", { roomId: room.id })).error.code).toBe("REMOVED_FROM_ROOM");
    // Nor does the class's chat reach them any more (their later ack comes after any broadcast sent before it).
    expect((await hostSession.c.emit("chat-send", { text: "after the removal" })).ok).toBe(true);
    await hostSession.c.waitFor("chat-message", (event) => event.message.text === "after the removal");
    expect((await studentSession.c.emit("get-participants", { roomId: room.id })).error.code).toBe("NOT_IN_ROOM");
    expect(studentSession.c.has("chat-message", (event) => event.message.text === "after the removal")).toBe(false);
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
    const host = await cluster.connect(nodeA, teacher.token, "host@A");
    expect((await host.emit("join-room", { roomId: room.id })).ok).toBe(true);
    const studentClient = await cluster.connect(nodeB, student.token, "student@B");
    expect((await studentClient.emit("join-room", { roomId: room.id })).ok).toBe(true);
    await host.waitFor("participant-joined", (event) => event.participant.userId === student.id);

    const gone = disconnected(studentClient);
    expect((await cluster.api(nodeA, "PATCH", `/api/v1/admin/users/${student.id}`, { disabled: true }, admin.token)).status).toBe(200);
    expect((await studentClient.waitFor("session-ended")).reason).toBe("account-disabled");
    expect(await gone).toBe("io server disconnect");
    expect((await host.waitFor("participant-left", (event) => event.userId === student.id)).reason).toBe("left");
  });
});

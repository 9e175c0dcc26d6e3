import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignJWT } from "jose";
import { randomUUID } from "node:crypto";
import type { TestApp } from "../../helpers/app.js";
import { createRoom, joined, listeningApp, person, TestClient, type Person } from "../rooms/helpers.js";

let testApp: TestApp;
let url: string;
let hostA: Person, hostB: Person, s1: Person, s2: Person, outsider: Person;
const clients: TestClient[] = [];
const track = <T extends { c: TestClient }>(joinedClient: T) => {
  clients.push(joinedClient.c);
  return joinedClient;
};

beforeAll(async () => {
  ({ t: testApp, url } = await listeningApp());
  hostA = await person(testApp, "teacher", "Host A");
  hostB = await person(testApp, "teacher", "Host B");
  s1 = await person(testApp, "student", "Student One");
  s2 = await person(testApp, "student", "Student Two");
  outsider = await person(testApp, "student", "Outsider");
});
afterAll(async () => {
  for (const c of clients) c.close();
  await testApp?.close();
});

async function token(sub: string, expSeconds: number) {
  return new SignJWT({ role: "student" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(sub)
    .setJti(randomUUID())
    .setIssuer("vtp")
    .setIssuedAt()
    .setExpirationTime(expSeconds)
    .sign(new TextEncoder().encode(testApp.config.jwtSecret));
}

async function connectError(tok: string | undefined): Promise<{ message: string; code: string | undefined }> {
  try {
    const client = await TestClient.connect(url, tok);
    client.close();
    throw new Error("connected");
  } catch (err) {
    const failure = err as Error & { data?: { code?: string } };
    return { message: failure.message, code: failure.data?.code };
  }
}

describe("handshake", () => {
  it("missing, invalid or expired token → connect_error with a code", async () => {
    expect((await connectError(undefined)).code).toBe("UNAUTHORIZED");
    expect((await connectError("not-a-jwt")).code).toBe("INVALID_TOKEN");
    expect((await connectError(`${s1.accessToken.slice(0, -3)}abc`)).code).toBe("INVALID_TOKEN");
    expect((await connectError(await token(s1.user.id, Math.floor(Date.now() / 1000) - 60))).code).toBe("TOKEN_EXPIRED");
  });

  it("a token about to expire can be renewed on the live socket; renewing as someone else is refused", async () => {
    const exp = Math.floor(Date.now() / 1000) + 2;
    const client = await TestClient.connect(url, await token(s2.user.id, exp));
    clients.push(client);
    const room = await createRoom(testApp, hostA);
    expect((await client.emit("join-room", { roomId: room.id })).ok).toBe(true);
    while (Date.now() <= exp * 1000 + 50) await new Promise((resolve) => setTimeout(resolve, 100));
    const stale = await client.emit("chat-send", { text: "hi" });
    expect(stale.error.code).toBe("TOKEN_EXPIRED");
    expect((await client.emit("auth-renew", { token: s1.accessToken })).error.code).toBe("FORBIDDEN");
    expect((await client.emit("auth-renew", { token: "garbage" })).error.code).toBe("INVALID_TOKEN");
    const renewed = await client.emit("auth-renew", { token: s2.accessToken });
    expect(renewed.ok).toBe(true);
    expect(Date.parse(renewed.expiresAt ?? "")).toBeGreaterThan(Date.now());
    expect((await client.emit("chat-send", { text: "back" })).ok).toBe(true);
  });
});

describe("authorization", () => {
  it("students cannot use host controls; outsiders cannot reach into a room; ids from another room are refused", async () => {
    const roomA = await createRoom(testApp, hostA, { title: "A" });
    const roomB = await createRoom(testApp, hostB, { title: "B" });
    const ha = track(await joined(url, hostA, roomA.id));
    const a1 = track(await joined(url, s1, roomA.id));
    const a2 = track(await joined(url, s2, roomA.id));
    const hb = track(await joined(url, hostB, roomB.id));
    const out = track(await joined(url, outsider, roomB.id));
    const msg = await ha.c.emit("chat-send", { text: "host says hi" });

    // A student cannot promote, demote, mute, remove, admit, end, delete chat or change settings.
    const target = { participantId: a2.ack.participantId };
    for (const [event, payload] of [
      ["promote", target],
      ["demote", target],
      ["mute-participant", target],
      ["remove-participant", target],
      ["remove-participant", { participantId: ha.ack.participantId }],
      ["admit", { userId: outsider.user.id }],
      ["reject", { userId: outsider.user.id }],
      ["end-room", {}],
      ["chat-delete", { messageId: msg.message.id }],
      ["lower-hand", { participantId: a2.ack.participantId }],
      ["update-room-settings", { settings: { chatEnabled: false } }],
    ] as const) {
      const reply = await a1.c.emit(event, payload);
      expect(reply.ok, `${event} by a student`).toBe(false);
      expect(reply.error.code, event).toBe("FORBIDDEN");
    }

    // Someone in room B cannot chat into or relay into room A.
    expect((await out.c.emit("chat-send", { roomId: roomA.id, text: "sneaky" })).error.code).toBe("NOT_IN_ROOM");
    expect((await out.c.emit("webrtc-offer", { to: a1.ack.participantId, description: { type: "offer", sdp: "v=0" } })).error.code).toBe(
      "PARTICIPANT_NOT_FOUND",
    );
    expect((await out.c.emit("ice-candidate", { roomId: roomA.id, to: a1.ack.participantId, candidate: null })).error.code).toBe("NOT_IN_ROOM");
    // Host B cannot control participants of room A by id, nor host A those of B.
    expect((await hb.c.emit("remove-participant", { participantId: a1.ack.participantId })).error.code).toBe("PARTICIPANT_NOT_FOUND");
    expect((await hb.c.emit("promote", { participantId: a1.ack.participantId })).error.code).toBe("PARTICIPANT_NOT_FOUND");
    expect((await ha.c.emit("mute-participant", { participantId: out.ack.participantId })).error.code).toBe("PARTICIPANT_NOT_FOUND");
    expect((await hb.c.emit("chat-delete", { messageId: msg.message.id })).error.code).toBe("MESSAGE_NOT_FOUND");
    // A REST reader who never joined cannot read room A's chat.
    expect((await testApp.app.inject({ method: "GET", url: `/api/v1/rooms/${roomA.id}/messages`, headers: outsider.auth })).statusCode).toBe(403);
    // Nothing leaked into room A.
    expect(a1.c.has("chat-message", (event) => event.message.text === "sneaky")).toBe(false);
    expect(a1.c.has("webrtc-offer")).toBe(false);
    // The host cannot be demoted or removed by another host-role action either.
    expect((await ha.c.emit("demote", { participantId: ha.ack.participantId })).error.code).toBe("CONFLICT");

    // Relay inside a room goes only to the named participant, with the sender's id.
    expect((await a1.c.emit("webrtc-offer", { to: a2.ack.participantId, description: { type: "offer", sdp: "v=0 offer" } })).ok).toBe(true);
    const offer = await a2.c.waitFor("webrtc-offer");
    expect(offer).toEqual({ roomId: roomA.id, from: a1.ack.participantId, description: { type: "offer", sdp: "v=0 offer" } });
    expect((await a2.c.emit("webrtc-answer", { to: a1.ack.participantId, description: { type: "answer", sdp: "v=0 answer" } })).ok).toBe(true);
    expect((await a1.c.waitFor("webrtc-answer")).from).toBe(a2.ack.participantId);
    expect(
      (
        await a1.c.emit("ice-candidate", {
          to: a2.ack.participantId,
          candidate: { candidate: "candidate:1 1 udp 1 1.2.3.4 5 typ host", sdpMid: "0", sdpMLineIndex: 0 },
        })
      ).ok,
    ).toBe(true);
    expect((await a2.c.waitFor("ice-candidate")).candidate?.sdpMid).toBe("0");
    expect(ha.c.has("webrtc-offer") || ha.c.has("ice-candidate")).toBe(false);
  });

  it("chat can be disabled by the host; the rate limit applies per user", async () => {
    const room = await createRoom(testApp, hostA);
    const host = track(await joined(url, hostA, room.id));
    const s1Session = track(await joined(url, s1, room.id));
    const upd = await host.c.emit("update-room-settings", { settings: { chatEnabled: false } });
    expect(upd.room.settings.chatEnabled).toBe(false);
    await s1Session.c.waitFor("room-updated", (event) => event.room.settings.chatEnabled === false);
    expect((await s1Session.c.emit("chat-send", { text: "hello" })).error.code).toBe("CHAT_DISABLED");
    expect((await host.c.emit("chat-send", { text: "announcement" })).ok).toBe(true);
    await testApp.app.inject({ method: "PATCH", url: `/api/v1/rooms/${room.id}`, headers: hostA.auth, payload: { settings: { chatEnabled: true } } });
    await s1Session.c.waitFor("room-updated", (event) => event.room.settings.chatEnabled === true);
    const results = [];
    for (let i = 0; i < 25; i++) results.push(await s1Session.c.emit("chat-send", { text: `m${i}` }));
    const limited = results.filter((r) => !r.ok);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0].error.code).toBe("RATE_LIMITED");
    // Others are not limited by one user's flood.
    expect((await host.c.emit("chat-send", { text: "still fine" })).ok).toBe(true);
  });

  it("a socket flooding events gets RATE_LIMITED acks, stays connected, and is served again after a pause", async () => {
    const room = await createRoom(testApp, hostA);
    const host = track(await joined(url, hostA, room.id));
    const flood = await Promise.all(Array.from({ length: 400 }, () => host.c.emit("get-room-info", { roomId: room.id })));
    const limited = flood.filter((r) => !r.ok);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.every((r) => r.error.code === "RATE_LIMITED")).toBe(true);
    expect(flood.filter((r) => r.ok).length).toBeGreaterThanOrEqual(190); // the burst (200), less what joining used
    expect(host.c.socket.connected).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await host.c.emit("get-room-info", { roomId: room.id })).ok).toBe(true);
  });
});

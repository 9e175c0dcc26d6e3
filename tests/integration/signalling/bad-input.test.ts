import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_EVENT_NAMES, MEDIA_CLIENT_EVENTS, type ClientEventName, type EventPayload } from "@vtp/protocol";
import type { Socket } from "socket.io-client";
import type { TestApp } from "../../helpers/app.js";
import { createRoom, joined, listeningApp, person, TestClient, type Person } from "../rooms/helpers.js";

let testApp: TestApp;
let url: string;
let host: Person, student: Person;
const clients: TestClient[] = [];

beforeAll(async () => {
  // Hundreds of bad events from one socket, as fast as possible: beyond the default event budget.
  ({ t: testApp, url } = await listeningApp({ VTP_SOCKET_EVENT_RATE: "1000/5000" }));
  host = await person(testApp, "teacher", "Host");
  student = await person(testApp, "student", "Student");
});
afterAll(async () => {
  for (const c of clients) c.close();
  await testApp?.close();
});

/** Every client event of the protocol's map. */
const EVENTS = CLIENT_EVENT_NAMES;
const huge = "x".repeat(200_000);
const unknownUuid = "00000000-0000-4000-8000-000000000000";

/** Payloads that are wrong for every event. */
const ALWAYS_BAD: [string, unknown][] = [
  ["null", null],
  ["a string", "join"],
  ["a number", 42],
  ["an array", [1, 2]],
  ["unknown field", { zzz: 1 }],
  ["roomId wrong type", { roomId: 5 }],
  ["roomId huge", { roomId: huge }],
];

/** Per event: payloads with the right shape but wrong details (missing/wrong/huge fields). */
const SPECIFIC: { [E in ClientEventName]?: unknown[] } = {
  "join-room": [{}, { roomId: "" }, { roomId: 123 }, { roomId: huge }],
  "webrtc-offer": [
    {},
    { to: "x" },
    { to: "x", description: { type: "answer", sdp: "v=0" } },
    { to: "x", description: { type: "offer", sdp: huge } },
    { to: "x", description: { type: "offer" } },
  ],
  "webrtc-answer": [{}, { to: "x", description: { type: "offer", sdp: "v=0" } }, { to: 1, description: { type: "answer", sdp: "v=0" } }],
  "ice-candidate": [
    {},
    { to: "x" },
    { to: "x", candidate: { candidate: huge } },
    { to: "x", candidate: { candidate: "c", sdpMLineIndex: -1 } },
    { to: "x", candidate: "nope" },
  ],
  "lower-hand": [{ participantId: 7 }, { participantId: huge }],
  promote: [{}, { participantId: null }, { participantId: huge }],
  demote: [{}, { participantId: [] }],
  "mute-participant": [{}, { participantId: {} }],
  "remove-participant": [{}, { participantId: true }],
  admit: [{}, { userId: 1 }],
  reject: [{}, { userId: huge }],
  "update-room-settings": [{}, { settings: { chatEnabled: "no" } }, { settings: { maxParticipants: 1e9 } }, { settings: { color: "red" } }],
  "chat-send": [{}, { text: 5 }, { text: huge }, { text: ["a"] }],
  "chat-delete": [{}, { messageId: 3 }],
  "auth-renew": [{}, { token: "" }, { token: huge }],
  "create-transport": [{}, { direction: "both" }],
  "connect-transport": [{ transportId: "t" }, { transportId: "t", description: { type: "offer", sdp: huge } }],
  produce: [
    { transportId: "t", kind: "video" },
    { transportId: "t", kind: "video", source: "webcam" },
    { transportId: "t", kind: "audio", source: "microphone", mid: huge },
  ],
  consume: [{ producerId: "p" }, { producerId: 1, transportId: "t" }],
  "close-producer": [{}, { producerId: huge }],
  "close-consumer": [{}, { consumerId: null }],
  "set-preferred-layer": [{ consumerId: "c" }, { consumerId: "c", layer: "x" }],
  "pause-consumer": [{ consumerId: "c" }, { consumerId: "c", paused: "yes" }, { consumerId: huge, paused: true }],
  "add-marker": [{ label: "x" }, { roomId: "r" }, { roomId: "r", label: "" }, { roomId: "r", label: huge }],
  "board-page": [
    { roomId: unknownUuid, surfaceId: "blackboard", page: 1 },
    { roomId: unknownUuid, surfaceId: "whiteboard", page: 0 },
    { roomId: unknownUuid, surfaceId: "whiteboard", page: 1.5 },
  ],
  "board-present": [{ roomId: unknownUuid }, { roomId: unknownUuid, surfaceId: huge }, { roomId: unknownUuid, surfaceId: "whiteboard", page: -1 }],
  "board-turn": [{ roomId: unknownUuid }, { roomId: unknownUuid, page: 1e9 }],
  "board-draw": [
    { roomId: unknownUuid, surfaceId: "whiteboard", page: 1, elements: [] },
    { roomId: unknownUuid, surfaceId: "whiteboard", page: 1, elements: [{ id: "a" }] },
    { roomId: unknownUuid, surfaceId: "whiteboard", page: 1, elements: "strokes" },
  ],
  "board-clear": [{ roomId: unknownUuid, surfaceId: "whiteboard" }],
  "board-pointer": [
    { roomId: unknownUuid, hidden: false },
    { roomId: unknownUuid, surfaceId: "whiteboard", page: 1, x: "1", y: 2 },
  ],
  "board-settings": [
    { roomId: unknownUuid, drawPolicy: "anyone" },
    { roomId: unknownUuid, allowedUserIds: ["not-a-uuid"] },
    { roomId: unknownUuid, layout: huge },
  ],
};

async function expectError(client: TestClient, event: string, ...payload: unknown[]) {
  const reply = await client.emitRaw(event, ...payload);
  expect(reply.ok, `${event} ${JSON.stringify(payload).slice(0, 80)}`).toBe(false);
  expect(typeof reply.error.code).toBe("string");
  expect(typeof reply.error.message).toBe("string");
  return reply.error.code as string;
}

describe("bad input on every event", () => {
  it("events before join-room get an error ack", async () => {
    const client = await TestClient.connect(url, student.accessToken);
    clients.push(client);
    const valid: { [E in ClientEventName]?: EventPayload<E> } = {
      "leave-room": {},
      "get-room-info": {},
      "get-participants": {},
      "webrtc-offer": { to: "p", description: { type: "offer", sdp: "v=0" } },
      "webrtc-answer": { to: "p", description: { type: "answer", sdp: "v=0" } },
      "ice-candidate": { to: "p", candidate: null },
      "raise-hand": {},
      "lower-hand": {},
      promote: { participantId: "p" },
      demote: { participantId: "p" },
      "mute-participant": { participantId: "p" },
      "remove-participant": { participantId: "p" },
      admit: { userId: unknownUuid },
      reject: { userId: unknownUuid },
      "update-room-settings": { settings: { chatEnabled: false } },
      "end-room": {},
      "chat-send": { text: "hi" },
      "chat-delete": { messageId: unknownUuid },
      "add-marker": { roomId: unknownUuid, label: "a moment" },
      "board-state": { roomId: unknownUuid },
      "board-page": { roomId: unknownUuid, surfaceId: "whiteboard", page: 1 },
      "board-present": { roomId: unknownUuid, surfaceId: "whiteboard" },
      "board-turn": { roomId: unknownUuid, page: 1 },
      "board-clear": { roomId: unknownUuid, surfaceId: "whiteboard", page: 1 },
      "board-pointer": { roomId: unknownUuid, hidden: true },
      "board-settings": { roomId: unknownUuid, drawPolicy: "everyone" },
      "board-add-page": { roomId: unknownUuid },
    };
    for (const [event, payload] of Object.entries(valid)) expect(await expectError(client, event, payload), event).toBe("NOT_IN_ROOM");
    for (const ev of MEDIA_CLIENT_EVENTS) await expectError(client, ev, {});
    expect(await expectError(client, "join-room", { roomId: unknownUuid })).toBe("ROOM_NOT_FOUND");
    expect(await expectError(client, "join-room", { roomId: "not-a-uuid" })).toBe("VALIDATION_FAILED");
    expect(await expectError(client, "no-such-event", {})).toBe("BAD_REQUEST");
  });

  it("malformed payloads, unknown ids and missing acks never break the room", async () => {
    const room = await createRoom(testApp, host);
    const hostSession = await joined(url, host, room.id);
    const studentSession = await joined(url, student, room.id);
    clients.push(hostSession.c, studentSession.c);

    for (const event of EVENTS) {
      for (const [, payload] of ALWAYS_BAD) expect(await expectError(hostSession.c, event, payload), event).toBe("VALIDATION_FAILED");
      for (const payload of SPECIFIC[event] ?? []) expect(await expectError(hostSession.c, event, payload), event).toBe("VALIDATION_FAILED");
      // Extra arguments and no ack at all: nothing to answer, nothing may crash.
      // The untyped socket: these arguments are not the protocol's on purpose.
      const wire: Socket = hostSession.c.socket;
      wire.emit(event, { junk: true });
      wire.emit(event, undefined, 1, "two");
    }

    // The text limit is checked after trimming.
    expect(await expectError(studentSession.c, "chat-send", { text: "    " })).toBe("VALIDATION_FAILED");
    expect(await expectError(studentSession.c, "chat-send", { text: "a".repeat(2001) })).toBe("VALIDATION_FAILED");
    expect((await studentSession.c.emit("chat-send", { text: `  ${"a".repeat(2000)}  ` })).ok).toBe(true);

    // Unknown ids.
    for (const ev of ["promote", "demote", "mute-participant", "remove-participant", "lower-hand"]) {
      expect(await expectError(hostSession.c, ev, { participantId: "nobody" }), ev).toBe("PARTICIPANT_NOT_FOUND");
    }
    expect(await expectError(hostSession.c, "admit", { userId: unknownUuid })).toBe("PARTICIPANT_NOT_FOUND");
    expect(await expectError(hostSession.c, "admit", { userId: "not-a-uuid" })).toBe("VALIDATION_FAILED");
    expect(await expectError(hostSession.c, "reject", { userId: student.user.id })).toBe("PARTICIPANT_NOT_FOUND");
    expect(await expectError(hostSession.c, "chat-delete", { messageId: unknownUuid })).toBe("MESSAGE_NOT_FOUND");
    expect(await expectError(hostSession.c, "chat-delete", { messageId: "1; drop table rooms" })).toBe("VALIDATION_FAILED");
    expect(await expectError(hostSession.c, "webrtc-offer", { to: "nobody", description: { type: "offer", sdp: "v=0" } })).toBe("PARTICIPANT_NOT_FOUND");
    expect(await expectError(hostSession.c, "webrtc-offer", { to: hostSession.ack.participantId, description: { type: "offer", sdp: "v=0" } })).toBe(
      "BAD_REQUEST",
    );
    expect(await expectError(hostSession.c, "get-room-info", { roomId: unknownUuid })).toBe("NOT_IN_ROOM");
    expect(await expectError(hostSession.c, "promote", { participantId: hostSession.ack.participantId })).toBe("CONFLICT");

    // Still a working room.
    const ok = await hostSession.c.emit("chat-send", { text: "still alive" });
    expect(ok.ok).toBe(true);
    await studentSession.c.waitFor("chat-message", (event) => event.message.text === "still alive");
    const parts = await studentSession.c.emit("get-participants", {});
    expect(parts.participants).toHaveLength(2);
    expect(parts.participants.every((p) => p.connected)).toBe(true);
    const health = await testApp.app.inject({ method: "GET", url: "/api/v1/signalling/health" });
    expect(health.statusCode).toBe(200);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_EVENT_NAMES, ClientEvents } from "@vtp/protocol";
import type { TestApp } from "../../helpers/app.js";
import { createRoom, joined, listeningApp, person, type TestClient, type Person } from "../rooms/helpers.js";
import { HOSTILE_VALUES, UNKNOWN_UUID, accepts, fieldPaths, validValue, withField, type JsonSchema } from "./hostile.js";

/**
 * Bad input over the socket, driven by the protocol's event map (packages/protocol/src/events.ts):
 * for every client event, every field of its payload schema (nested ones too) gets each hostile
 * value while the other fields are valid, from the host of a live class. The ack is always
 * `ok: false` with a code when the schema refuses the payload (VALIDATION_FAILED), never
 * INTERNAL_ERROR otherwise, and the class still works afterwards. A new event is covered
 * without touching this file.
 */

let testApp: TestApp;
let url: string;
let host: Person, student: Person;
let roomId: string;
let hostClient: TestClient;
let studentParticipantId: string;
const clients: TestClient[] = [];

beforeAll(async () => {
  ({ t: testApp, url } = await listeningApp({ VTP_SOCKET_EVENT_RATE: "100000/100000", VTP_CHAT_RATE_LIMIT: "100000/1", VTP_MEDIA: "off" }));
  host = await person(testApp, "teacher", "Host");
  student = await person(testApp, "student", "Student");
  roomId = (await createRoom(testApp, host)).id;
  hostClient = await connectHost();
  const studentSession = await joined(url, student, roomId);
  clients.push(studentSession.c);
  studentParticipantId = studentSession.ack.participantId;
});
afterAll(async () => {
  for (const c of clients) c.close();
  await testApp?.close();
});

async function connectHost(): Promise<TestClient> {
  const hostSession = await joined(url, host, roomId);
  clients.push(hostSession.c);
  return hostSession.c;
}

/** The host's socket, connected and in the room (an accepted event such as `leave-room` may take it out). */
async function hostSocket(): Promise<TestClient> {
  if (!hostClient.socket.connected) hostClient = await connectHost();
  else if (!(await inRoom(hostClient))) await hostClient.emit("join-room", { roomId });
  return hostClient;
}

async function inRoom(client: TestClient): Promise<boolean> {
  return client.socket.connected && (await client.emitRaw("get-room-info", {})).ok;
}

function known(): Record<string, unknown> {
  return {
    roomId,
    participantId: studentParticipantId,
    to: studentParticipantId,
    userId: student.user.id,
    messageId: UNKNOWN_UUID,
    transportId: "no-such-transport",
    producerId: "no-such-producer",
    consumerId: "no-such-consumer",
    token: "not-a-token",
  };
}

describe("every client event of the protocol, every payload field, hostile values", () => {
  // One test per event (each with its own time limit): the map grows with every feature.
  let sent = 0;
  it.each(CLIENT_EVENT_NAMES)("%s: answers ok:false with a code (VALIDATION_FAILED when the schema refuses), never INTERNAL_ERROR", async (event) => {
    const failures: string[] = [];
    const check = async (label: string, payload: unknown, refused: boolean) => {
      const socketClient = await hostSocket();
      const ack = await socketClient.emitRaw(event, payload);
      sent++;
      const where = `${event} ${label} → ${JSON.stringify(ack).slice(0, 160)}`;
      if (ack.ok) {
        if (refused) failures.push(`${where} (the schema refuses this payload)`);
        return;
      }
      if (typeof ack.error?.code !== "string") failures.push(`${where} (no error code)`);
      else if (ack.error.code === "INTERNAL_ERROR") failures.push(where);
      else if (refused && ack.error.code !== "VALIDATION_FAILED") failures.push(`${where} (expected VALIDATION_FAILED)`);
      if (refused && !(await inRoom(socketClient))) failures.push(`${where} (a refused payload took the host out of the class)`);
    };

    const schema = ClientEvents[event].payload as unknown as JsonSchema;
    const base = validValue(schema, known()) as Record<string, unknown>;
    for (const [label, payload] of [
      ["null", null],
      ["a string", "hello"],
      ["a number", 42],
      ["an array", [base]],
      ["unknown field", { ...base, zzz: 1 }],
    ] as const) {
      await check(label, payload, !accepts(schema, payload));
    }
    for (const field of fieldPaths(schema)) {
      for (const [label, value] of HOSTILE_VALUES) {
        const payload = withField(base, schema, field, value, known());
        await check(`${field.join(".")}: ${label}`, payload, !accepts(schema, payload));
      }
    }
    expect(failures, failures.slice(0, 30).join("\n")).toEqual([]);
  });

  it("after every event's hostile payloads, the server and the class are still alive: a new message reaches the student", async () => {
    expect(sent).toBeGreaterThan(1000);
    const client = await hostSocket();
    const student = clients[0]!;
    const sentAck = await client.emit("chat-send", { text: "still here" });
    expect(sentAck.ok).toBe(true);
    await student.waitFor("chat-message", (event) => event.message.text === "still here");
  });

  it("refuses a NUL or another control character in chat, and keeps line breaks", async () => {
    const client = await hostSocket();
    for (const text of ["a\u0000b", "bell\u0007", "\u001b[2J"]) {
      const ack = await client.emitRaw("chat-send", { text });
      expect(ack.ok).toBe(false);
      expect(ack.error.code).toBe("VALIDATION_FAILED");
      expect(ack.error.details).toEqual([{ field: "text", problem: "must not contain control characters" }]);
    }
    const ok = await client.emit("chat-send", { text: "two\nlines\tand a tab" });
    expect(ok.ok).toBe(true);
    expect(ok.message.text).toBe("two\nlines\tand a tab");
  });

  it("refuses a malformed record id (room, user, message) as VALIDATION_FAILED; an unknown live id is not found", async () => {
    const client = await hostSocket();
    for (const [event, payload] of [
      ["join-room", { roomId: "not-a-uuid" }],
      ["get-room-info", { roomId: "abc" }],
      ["admit", { userId: "abc" }],
      ["chat-delete", { messageId: "1; drop table rooms" }],
      ["add-marker", { roomId: "abc", label: "x" }],
    ] as const) {
      const ack = await client.emitRaw(event, payload);
      expect(ack.error?.code, event).toBe("VALIDATION_FAILED");
    }
    expect((await client.emitRaw("promote", { participantId: "nobody" })).error.code).toBe("PARTICIPANT_NOT_FOUND");
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { ClientEventName } from "@vtp/protocol";
import type { TestApp } from "../../helpers/app.js";
import type { TestAck } from "../../helpers/socket.js";
import { createRoom, person, type Person } from "../rooms/helpers.js";
import { errorsIn, loggedApp, type LogLine } from "./helpers.js";

/**
 * Raw engine.io / Socket.IO frames over a WebSocket, as a hostile or broken client sends them:
 * the server answers or drops each one cleanly, logs no error, and the socket keeps working.
 */
let testApp: TestApp;
let url: string;
let logs: LogLine[];
let host: Person;
let student: Person;

beforeAll(async () => {
  ({ t: testApp, url, logs } = await loggedApp());
  host = await person(testApp, "teacher", "Host");
  student = await person(testApp, "student", "Student");
});
afterAll(async () => {
  await testApp?.close();
});

/** A raw engine.io v4 WebSocket connected to the default namespace with `token`. */
class RawSocket {
  readonly frames: string[] = [];
  private waiters: (() => void)[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const frame = String(data);
      if (frame === "2") ws.send("3"); // engine.io ping → pong
      this.frames.push(frame);
      for (const w of this.waiters.splice(0)) w();
    });
  }
  static async open(token: string): Promise<RawSocket> {
    const ws = new WebSocket(`${url.replace("http", "ws")}/socket.io/?EIO=4&transport=websocket`);
    const raw = new RawSocket(ws);
    await raw.next((frame) => frame.startsWith("0{"));
    ws.send(`40${JSON.stringify({ token })}`);
    await raw.next((frame) => frame.startsWith("40{"));
    return raw;
  }
  next(pred: (f: string) => boolean, timeoutMs = 5_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame (got ${JSON.stringify(this.frames)})`)), timeoutMs);
      const check = () => {
        const index = this.frames.findIndex(pred);
        if (index < 0) return void this.waiters.push(check);
        clearTimeout(timer);
        resolve(this.frames.splice(index, 1)[0]);
      };
      check();
    });
  }
  /** Sends event `name` with ack id `id` and resolves with the ack's payload. */
  async call<E extends ClientEventName>(id: number, name: E, payload: unknown): Promise<TestAck<E>> {
    this.ws.send(`42${id}${JSON.stringify([name, payload])}`);
    const frame = await this.next((received) => received.startsWith(`43${id}[`));
    return JSON.parse(frame.slice(`43${id}`.length))[0];
  }
  get open() {
    return this.ws.readyState === WebSocket.OPEN;
  }
  close() {
    this.ws.close();
  }
}

describe("malformed Socket.IO packets", () => {
  it("an EVENT with no payload, no name, or a non-string name is dropped or answered BAD_REQUEST; nothing is logged as an error and the socket keeps working", async () => {
    const room = await createRoom(testApp, host);
    const raw = await RawSocket.open(student.accessToken);
    expect((await raw.call(1, "join-room", { roomId: room.id })).ok).toBe(true);

    raw.ws.send("42"); // the probe's packet: an EVENT with nothing in it
    raw.ws.send("42[7]"); // a number where the name goes
    raw.ws.send("4277"); // asks for an ack, carries no name
    const nameless = JSON.parse((await raw.next((frame) => frame.startsWith("4377["))).slice(4))[0];
    expect(nameless).toEqual({ ok: false, error: { code: "BAD_REQUEST", message: expect.any(String) } });
    raw.ws.send('4278[5,{"roomId":"x"}]');
    expect(JSON.parse((await raw.next((frame) => frame.startsWith("4378["))).slice(4))[0].error.code).toBe("BAD_REQUEST");

    const after = await raw.call(2, "get-participants", { roomId: room.id });
    expect(after.ok).toBe(true);
    expect(after.participants.map((p: { userId: string }) => p.userId)).toContain(student.user.id);
    expect((await raw.call(3, "chat-send", { roomId: room.id, text: "still here" })).ok).toBe(true);
    expect(raw.open).toBe(true);
    expect(errorsIn(logs).map((l) => `${l.msg}: ${l.err?.message ?? ""}`)).toEqual([]);
    raw.close();
  });

  it("a packet the Socket.IO parser refuses closes that connection only, without an error in the log", async () => {
    for (const frame of ["42[null,{}]", "42[{}]", "42{", "4x", "9"]) {
      const raw = await RawSocket.open(student.accessToken);
      const closed = new Promise<void>((resolve) => raw.ws.once("close", () => resolve()));
      raw.ws.send(frame);
      await closed;
    }
    const raw = await RawSocket.open(student.accessToken);
    expect((await raw.call(1, "get-participants", { roomId: "00000000-0000-0000-0000-000000000000" })).error.code).toBe("NOT_IN_ROOM");
    raw.close();
    expect(errorsIn(logs).map((l) => `${l.msg}: ${l.err?.message ?? ""}`)).toEqual([]);
  });
});

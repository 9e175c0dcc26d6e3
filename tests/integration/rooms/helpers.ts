import { io } from "socket.io-client";
import { Redis } from "ioredis";
import type { ClientEventName, ServerEventName, ServerEventPayload } from "@vtp/protocol";
import { createTestApp, signUp, type TestApp } from "../../helpers/app.js";
import { ackOfMaybeEmpty, checkServerEvent, rawAckOf, type ClientSocket, type PayloadArgs, type RawAck, type TestAck } from "../../helpers/socket.js";

export type { ClientSocket } from "../../helpers/socket.js";
type Received = { event: string; payload: unknown; taken: boolean };

/**
 * A socket.io-client connection that records every server event, so a test can wait for an
 * event that may already have arrived. Waits fail after `timeoutMs` (a failure, not a timing check).
 */
export class TestClient {
  readonly received: Received[] = [];
  private waiters: (() => void)[] = [];

  constructor(
    readonly socket: ClientSocket,
    readonly name = "client",
  ) {
    socket.onAny((event: string, payload: unknown) => {
      this.received.push({ event, payload, taken: false });
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async connect(url: string, token: string | undefined, name?: string): Promise<TestClient> {
    const socket: ClientSocket = io(url, {
      path: "/socket.io/",
      transports: ["websocket"],
      auth: token === undefined ? {} : { token },
      reconnection: false,
      forceNew: true,
    });
    const client = new TestClient(socket, name);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("connect_error", (err) => reject(err));
    });
    return client;
  }

  /** Emits an event of the protocol with an ack and resolves with the ack (typed from the protocol's map). */
  emit<E extends ClientEventName>(event: E, ...payload: PayloadArgs<E>): Promise<TestAck<E>> {
    return ackOfMaybeEmpty(this.socket, event, ...payload);
  }

  /** For tests of bad input only: any event name and arguments. */
  emitRaw(event: string, ...args: unknown[]): Promise<RawAck> {
    return rawAckOf(this.socket, event, ...args);
  }

  /** The first not-yet-taken `event` matching `pred` (waiting for it if needed). */
  waitFor<E extends ServerEventName>(event: E, pred: (p: ServerEventPayload<E>) => boolean = () => true, timeoutMs = 15_000): Promise<ServerEventPayload<E>> {
    type T = ServerEventPayload<E>;
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.received.find((r) => !r.taken && r.event === event && pred(r.payload as T));
        if (!hit) return false;
        hit.taken = true;
        clearTimeout(timer);
        try {
          checkServerEvent(event, hit.payload);
          resolve(hit.payload as T);
        } catch (err) {
          reject(err);
        }
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== loop);
        reject(new Error(`${this.name}: no "${event}" event matched (got: ${this.received.map((r) => r.event).join(", ")})`));
      }, timeoutMs);
      const loop = () => {
        if (!check()) this.waiters.push(loop);
      };
      loop();
    });
  }

  has<E extends ServerEventName>(event: E, pred: (p: ServerEventPayload<E>) => boolean = () => true): boolean {
    return this.received.some((r) => r.event === event && pred(r.payload as ServerEventPayload<E>));
  }

  close() {
    this.socket.disconnect();
  }
}

export interface Person {
  user: { id: string; fullName: string; email: string };
  accessToken: string;
  auth: { authorization: string };
}

/**
 * The live-state backends a socket test runs against: this process's memory, and Redis
 * (TEST_REDIS_URL, default redis://127.0.0.1:6379) with a key prefix of its own.
 */
export function backends(): [string, Record<string, string>][] {
  const redis = process.env.TEST_REDIS_URL || "redis://127.0.0.1:6379";
  return [
    ["memory", {}],
    ["redis", { REDIS_URL: redis, VTP_REDIS_PREFIX: `vtp-test-${Math.random().toString(36).slice(2, 10)}:` }],
  ];
}

/** A test app listening on a real port, with a URL for socket.io-client. */
export async function listeningApp(env: Record<string, string> = {}, deps: Parameters<typeof createTestApp>[1] = {}): Promise<{ t: TestApp; url: string }> {
  const testApp = await createTestApp(env, deps);
  if (env.REDIS_URL && env.VTP_REDIS_PREFIX) {
    const close = testApp.close;
    testApp.close = async () => {
      await close();
      const redis = new Redis(env.REDIS_URL!);
      const keys = await redis.keys(`${env.VTP_REDIS_PREFIX}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    };
  }
  await testApp.app.listen({ port: 0, host: "127.0.0.1" });
  const addr = testApp.app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return { t: testApp, url: `http://127.0.0.1:${port}` };
}

export async function person(testApp: TestApp, role: "teacher" | "student", fullName: string): Promise<Person> {
  return (await signUp(testApp, { role, fullName })) as Person;
}

export async function createRoom(testApp: TestApp, host: Person, body: Record<string, unknown> = {}) {
  const res = await testApp.app.inject({ method: "POST", url: "/api/v1/rooms", headers: host.auth, payload: { title: "Biology 101", ...body } });
  if (res.statusCode !== 201) throw new Error(`create room failed: ${res.body}`);
  return res.json().room as { id: string; code: string; status: string; hostId: string };
}

/** Connects and joins; throws when the join ack is not ok. */
export async function joined(url: string, who: Person, roomId: string, name = who.user.fullName) {
  const client = await TestClient.connect(url, who.accessToken, name);
  const ack = await client.emit("join-room", { roomId });
  if (!ack.ok) throw new Error(`${name} could not join: ${JSON.stringify(ack)}`);
  return { c: client, ack };
}

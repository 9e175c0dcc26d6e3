import type { Socket as NetSocket } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import type { TestApp } from "../../helpers/app.js";
import { createRoom, joined, listeningApp, person, TestClient } from "../rooms/helpers.js";

/**
 * Fan-out: the frames a socket is sent in one turn of the server's event loop leave in one
 * write (signalling/WriteCoalescer.ts), and nothing about what the client receives changes:
 * every event, in the order it was sent.
 */

const apps: TestApp[] = [];
const clients: TestClient[] = [];
afterAll(async () => {
  for (const c of clients) c.close();
  for (const t of apps) await t.close();
});

/** Counts the writes the server's TCP socket of client `c` hands to the kernel. */
function countWrites(testApp: TestApp, client: TestClient): { writes: number } {
  const server = testApp.app.ctx.signalling.io.of("/").sockets.get(client.socket.id ?? "");
  if (!server) throw new Error("the client's socket is not on this server");
  const transport = (server.conn as unknown as { transport: { name: string; socket: { _socket: NetSocket } } }).transport;
  expect(transport.name).toBe("websocket");
  type Write = (...args: unknown[]) => void;
  const tcp = transport.socket._socket as NetSocket & { _write: Write; _writev: Write };
  const counter = { writes: 0 };
  for (const method of ["_write", "_writev"] as const) {
    const original = tcp[method].bind(tcp);
    tcp[method] = (...args: unknown[]) => {
      counter.writes++;
      return original(...args);
    };
  }
  return counter;
}

describe("chat fan-out", () => {
  it("twenty events sent to a socket in one turn leave in at most three writes and arrive in order", async () => {
    const { t: testApp, url } = await listeningApp();
    apps.push(testApp);
    const someone = await person(testApp, "student", "Sam");
    const client = await TestClient.connect(url, someone.accessToken, "Sam");
    clients.push(client);
    const counter = countWrites(testApp, client);
    const server = testApp.app.ctx.signalling.io.of("/").sockets.get(client.socket.id ?? "");
    if (!server) throw new Error("the client's socket is not on this server");
    const out = testApp.app.ctx.signalling.out;
    for (let i = 0; i < 20; i++) out.toSocket(server.id, "muted", { roomId: "r", by: `p${i}`, byName: `Host ${i}` });
    for (let i = 0; i < 20; i++) expect((await client.waitFor("muted")).by).toBe(`p${i}`);
    // One write per frame without coalescing (20); here the first frame and the rest of the turn.
    expect(counter.writes).toBeLessThanOrEqual(3);
  });

  it("messages sent at once by several people reach everyone in the class, once each, each person's in the order sent", async () => {
    const { t: testApp, url } = await listeningApp({ VTP_CHAT_RATE_LIMIT: "100/10" });
    apps.push(testApp);
    const host = await person(testApp, "teacher", "Teacher");
    const room = await createRoom(testApp, host);
    const people = [host, ...(await Promise.all(["Ann", "Ben", "Cleo"].map((n) => person(testApp, "student", n))))];
    const members: TestClient[] = [];
    for (const p of people) {
      const { c: client } = await joined(url, p, room.id);
      clients.push(client);
      members.push(client);
    }
    const acks = await Promise.all(members.flatMap((m, i) => Array.from({ length: 5 }, (_, k) => m.emit("chat-send", { roomId: room.id, text: `${i}:${k}` }))));
    expect(acks.every((a) => a.ok)).toBe(true);
    const sent = acks.map((a) => a.message).sort((a, b) => a.seq - b.seq);
    for (const m of members) {
      const got = [];
      for (let i = 0; i < sent.length; i++) got.push((await m.waitFor("chat-message")).message);
      // Everything, once. Sends from different people are stored concurrently (a pool of
      // PostgreSQL connections), so two people's messages may arrive in either order; the
      // client places them by seq. One person's messages arrive in the order they were sent.
      expect([...got].sort((a, b) => a.seq - b.seq).map((x) => [x.seq, x.text])).toEqual(sent.map((x) => [x.seq, x.text]));
      for (let i = 0; i < members.length; i++) {
        expect(got.filter((x) => x.text.startsWith(`${i}:`)).map((x) => x.text)).toEqual([0, 1, 2, 3, 4].map((k) => `${i}:${k}`));
      }
    }
    // Each sender's own messages in the order it sent them.
    for (let i = 0; i < members.length; i++) {
      expect(sent.filter((x) => x.text.startsWith(`${i}:`)).map((x) => x.text)).toEqual([0, 1, 2, 3, 4].map((k) => `${i}:${k}`));
    }
  });
});

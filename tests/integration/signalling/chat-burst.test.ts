import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase, migrate } from "../../../apps/server/src/db/index.js";
import type { TestApp } from "../../helpers/app.js";
import { createPgDatabase } from "../../helpers/db.js";
import { createRoom, joined, listeningApp, person, type TestClient } from "../rooms/helpers.js";

/**
 * A class chatting at once: the messages that arrive while the room's INSERT is in flight are
 * stored together in one statement (rooms/chat/service.ts) instead of one statement each, all
 * queueing on the room's row lock with a pool connection apiece. To have them arrive while one
 * is in flight, the test holds the room's row lock (as a slow INSERT would) until the others
 * wait. PostgreSQL (TEST_DATABASE_URL, default on 127.0.0.1), since an embedded database has one
 * connection, which the lock would hold. What people see is unchanged: every message acknowledged with its own seq (1..N, no
 * gap, no repeat), and everyone receives every message once.
 */

const STUDENTS = 40;
const MESSAGES_EACH = 1;
const clients: TestClient[] = [];
let testApp: TestApp | undefined;
let dropDatabase: (() => Promise<void>) | undefined;
afterAll(async () => {
  for (const c of clients) c.close();
  await testApp?.close();
  await dropDatabase?.();
});

describe("a chat burst", () => {
  it(`${STUDENTS} students × ${MESSAGES_EACH} messages at once: stored in batches, every seq once, everyone gets everything`, async () => {
    const pgDatabase = await createPgDatabase(process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres");
    dropDatabase = pgDatabase.drop;
    const database = await openDatabase({ databaseUrl: pgDatabase.url, dataDir: "" });
    await migrate(database);
    const app = await listeningApp({ VTP_CHAT_RATE_LIMIT: "100/10" }, { database });
    testApp = app.t;
    const host = await person(app.t, "teacher", "Hana Host");
    const room = await createRoom(app.t, host, { title: "Chatter" });
    const members: TestClient[] = [];
    for (const who of [host, ...(await Promise.all(Array.from({ length: STUDENTS }, (_, i) => person(app.t, "student", `Student ${i}`))))]) {
      const { c: client } = await joined(app.url, who, room.id);
      clients.push(client);
      members.push(client);
    }
    const senders = members.slice(1);
    const db = app.t.app.ctx.db;
    const send = (sender: TestClient, text: string) => sender.emit("chat-send", { roomId: room.id, text });
    let sending: ReturnType<typeof send>[] = [];
    await db.transaction().execute(async (trx) => {
      await sql`select chat_seq from rooms where id = ${room.id} for update`.execute(trx);
      sending = senders.flatMap((sender, i) => Array.from({ length: MESSAGES_EACH }, (_, k) => send(sender, `${i}:${k}`)));
      // One INSERT waits for the lock; every other message waits behind it (in the server).
      while (app.t.app.ctx.chat.waiting(room.id) < STUDENTS * MESSAGES_EACH - 1) await new Promise((resolve) => setTimeout(resolve, 20));
    });
    const acks = await Promise.all(sending);
    expect(acks.filter((a) => !a.ok)).toEqual([]);
    const total = STUDENTS * MESSAGES_EACH;
    const sent = acks.map((a) => a.message).sort((a, b) => a.seq - b.seq);
    expect(sent.map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    for (let i = 0; i < senders.length; i++) {
      expect(sent.filter((m) => m.text.startsWith(`${i}:`)).map((m) => m.text)).toEqual(Array.from({ length: MESSAGES_EACH }, (_, k) => `${i}:${k}`));
    }
    for (const member of members) {
      const got = [];
      for (let i = 0; i < total; i++) got.push((await member.waitFor("chat-message", (event) => event.roomId === room.id)).message);
      expect(got.map((m) => m.seq).sort((a, b) => a - b)).toEqual(sent.map((m) => m.seq));
    }

    // Each statement is a transaction of its own: its rows share one xmin. The one that waited
    // for the lock, then one for all the others (one per message before: 40).
    const statements = await sql<{ n: number }>`select count(distinct xmin::text)::int as n from chat_messages where room_id = ${room.id}`.execute(db);
    expect(statements.rows[0]?.n).toBe(2);
    const stored = await sql<{ seq: number; text: string }>`select seq, text from chat_messages where room_id = ${room.id} order by seq`.execute(db);
    expect(stored.rows.map((r) => [r.seq, r.text])).toEqual(sent.map((m) => [m.seq, m.text]));
  }, 180_000);
});

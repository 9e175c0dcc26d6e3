import { afterAll, describe, expect, it } from "vitest";
import type { HandQueueEntry } from "@vtp/protocol";
import type { TestApp } from "../../helpers/app.js";
import { backends, createRoom, joined, listeningApp, person, type TestClient } from "../rooms/helpers.js";

/**
 * A class raising hands at once: the hand queue (the whole queue in every event) is coalesced —
 * a burst of raises shares one `hand-queue` per interval instead of one per raise (which sent
 * every client O(n²) queue entries) — and the last queue every client gets is complete, in the
 * order of the positions the raises were acknowledged with.
 */

const STUDENTS = 80;
const clients: TestClient[] = [];
const apps: TestApp[] = [];
afterAll(async () => {
  for (const c of clients) c.close();
  for (const t of apps) await t.close();
});

/** Runs `job` for every item, `width` at a time. */
async function inBatches<T, R>(items: T[], width: number, job: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += width) results.push(...(await Promise.all(items.slice(i, i + width).map(job))));
  return results;
}

describe.each(backends())("hands raised at once (%s)", (_backend, env) => {
  it(`${STUDENTS} raises: a bounded number of hand-queue events, the last one complete and in order, for everyone`, async () => {
    const { t: testApp, url } = await listeningApp({ ...env, AUTH_RATE_LIMIT_PER_MINUTE: "100000" });
    apps.push(testApp);
    const host = await person(testApp, "teacher", "Hana Host");
    const room = await createRoom(testApp, host, { title: "Hands" });
    const hostSession = await joined(url, host, room.id);
    clients.push(hostSession.c);
    const people = await inBatches(
      Array.from({ length: STUDENTS }, (_, i) => `Student ${i}`),
      10,
      (name) => person(testApp, "student", name),
    );
    const students = await inBatches(people, 10, async (who) => {
      const session = await joined(url, who, room.id);
      clients.push(session.c);
      return session;
    });

    const acks = await Promise.all(students.map((s) => s.c.emit("raise-hand", { roomId: room.id })));
    expect(acks.filter((a) => !a.ok)).toEqual([]);
    // Every position from 1 to N, once.
    expect(acks.map((a) => a.position).sort((a, b) => a - b)).toEqual(Array.from({ length: STUDENTS }, (_, i) => i + 1));
    const expected = new Array<string>(STUDENTS);
    students.forEach((s, i) => {
      expected[(acks[i]?.position ?? 0) - 1] = s.ack.participantId;
    });

    const complete = (event: { queue: HandQueueEntry[] }) => event.queue.length === STUDENTS;
    for (const session of [hostSession, ...students]) {
      const last = await session.c.waitFor("hand-queue", complete, 30_000);
      expect(last.queue.map((entry) => entry.participantId)).toEqual(expected);
    }
    // One event per raise before (80 to each client); coalesced, a handful.
    const counts = [hostSession, ...students].map((s) => s.c.received.filter((r) => r.event === "hand-queue").length);
    expect(Math.max(...counts)).toBeLessThan(STUDENTS / 2);
    // Nothing after the complete queue contradicts it.
    for (const session of [hostSession, ...students]) {
      const queues = session.c.received.filter((r) => r.event === "hand-queue").map((r) => (r.payload as { queue: HandQueueEntry[] }).queue);
      expect(queues.at(-1)?.length).toBe(STUDENTS);
    }
  }, 180_000);
});

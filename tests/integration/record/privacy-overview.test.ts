import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import type { AdminOverviewResponse, UserDataExport } from "@vtp/protocol";
import { MediaLoadRepo } from "../../../apps/server/src/media-load/index.js";
import { makeAdmin, type TestApp } from "../../helpers/app.js";
import { createRoom, listeningApp, person, type Person, type TestClient } from "../rooms/helpers.js";
import { seedClass, type SeededClass } from "./seed.js";

/**
 * The admin's side of the class record: the per-day overview, one person's data exported
 * (theirs and no one else's) and erased, and a class's record going with the class.
 */
let testApp: TestApp;
let url: string;
let teacher: Person, ann: Person, ben: Person;
let admin: Awaited<ReturnType<typeof makeAdmin>>;
let seeded: SeededClass;
const clients: TestClient[] = [];

beforeAll(async () => {
  ({ t: testApp, url } = await listeningApp({ VTP_MEDIA: "off" }));
  teacher = await person(testApp, "teacher", "Ms Teacher");
  ann = await person(testApp, "student", "Ann");
  ben = await person(testApp, "student", "Ben");
  admin = await makeAdmin(testApp);
  seeded = await seedClass(testApp, url, teacher, ann, ben, clients);
  for (const client of clients) client.close();
});
afterAll(async () => {
  await testApp?.close();
});

const as = (who: { auth: Record<string, string> }, method: "GET" | "DELETE", path: string) => testApp.app.inject({ method, url: path, headers: who.auth });

describe("the admin overview", () => {
  it("counts a seeded day: classes held, hours taught, peak concurrent participants, recordings and their size", async () => {
    const db = testApp.app.ctx.db;
    const day = new Date(Date.now() - 10 * 24 * 3600_000).toISOString().slice(0, 10);
    const at = (time: string) => new Date(`${day}T${time}:00Z`);
    const room = await createRoom(testApp, teacher, { title: "Old class" });
    await sql`update rooms set status = 'ended', started_at = ${at("14:00")}, ended_at = ${at("16:30")} where id = ${room.id}`.execute(db);
    const other = await createRoom(testApp, teacher, { title: "Short class" });
    await sql`update rooms set status = 'ended', started_at = ${at("18:00")}, ended_at = ${at("18:30")} where id = ${other.id}`.execute(db);
    // 14:00–15:00 Ann, 14:30–16:00 Ben, 14:45–14:50 the teacher: three at once at 14:45; Ann again at 18:00 (alone).
    const session = async (roomId: string, who: Person, from: string, to: string) =>
      sql`insert into attendance (room_id, user_id, room_role, joined_at, left_at) values (${roomId}, ${who.user.id}, 'student', ${at(from)}, ${at(to)})`.execute(
        db,
      );
    await session(room.id, ann, "14:00", "15:00");
    await session(room.id, ben, "14:30", "16:00");
    await session(room.id, teacher, "14:45", "14:50");
    await session(other.id, ann, "18:00", "18:30");
    await sql`insert into recordings (room_id, status, started_at, stopped_at, size_bytes) values (${room.id}, 'ready', ${at("14:00")}, ${at("16:00")}, 123456789)`.execute(
      db,
    );
    await sql`insert into recordings (room_id, status, started_at, size_bytes) values (${room.id}, 'failed', ${at("14:10")}, 5)`.execute(db);
    // Media load: a remote node in two minutes (read twice in the second one, by two app servers) and an app server's worker in the second.
    const load = new MediaLoadRepo(db);
    const sample = (nodeId: string, time: string, peers: number, producers: number, consumers: number, bits: number, cpu: number) => ({
      nodeId,
      at: new Date(at(time).getTime() + 20_000),
      spanSeconds: 60,
      peers,
      transports: peers,
      producers,
      consumers,
      bitsPerSecond: bits,
      packetsPerSecond: bits / 10_000,
      cpuCores: cpu,
    });
    await load.write([
      sample("http://media-1:4000", "14:00", 3, 2, 4, 1_000_000, 0.2),
      sample("http://media-1:4000", "14:01", 3, 2, 4, 2_000_000, 0.3),
      sample("http://media-1:4000", "14:01", 3, 2, 4, 1_500_000, 0.1),
      sample("app-1/0f1e2d3c/w0", "14:01", 1, 1, 0, 500_000, 0.1),
    ]);

    const res = await as(admin, "GET", "/api/v1/admin/overview?days=30");
    expect(res.statusCode).toBe(200);
    const overview = res.json() as AdminOverviewResponse;
    expect(overview.days).toHaveLength(30);
    expect(overview.to).toBe(new Date().toISOString().slice(0, 10));
    expect(overview.days.find((row) => row.day === day)).toEqual({
      day,
      classesHeld: 2,
      hoursTaught: 3,
      peakParticipants: 3,
      recordings: 1,
      recordingBytes: 123456789,
      // Per minute, summed over the nodes: 14:00 1 Mbit/s, 14:01 2 + 0.5 Mbit/s (the node's second reading of 14:01 does not add).
      media: {
        peakBitsPerSecond: 2_500_000,
        averageBitsPerSecond: 1_750_000,
        peakPacketsPerSecond: 250,
        peakProducers: 3,
        peakConsumers: 4,
        peakCpuCores: 0.4,
        mediaMinutes: 7,
        minutesInUse: 2,
        nodes: 2,
      },
    });
    const quiet = overview.days.find((row) => row.day !== day)!;
    expect(quiet.media).toMatchObject({ peakBitsPerSecond: 0, mediaMinutes: 0, nodes: 0 });
    expect(overview.totals).toMatchObject({ classesHeld: 3, recordings: 1, recordingBytes: 123456789 });
    expect(overview.totals.media).toMatchObject({ peakBitsPerSecond: 2_500_000, mediaMinutes: 7, nodes: 2 });
    // Older than the retention (MEDIA_LOAD_RETENTION_DAYS): deleted; the seeded day stays.
    await load.write([{ ...sample("http://media-1:4000", "14:00", 1, 1, 1, 1, 0), at: new Date(Date.now() - 401 * 24 * 3600_000) }]);
    expect(await load.prune(400)).toBe(1);
    expect(await load.prune(400)).toBe(0);
    expect(overview.totals.hoursTaught).toBe(4);
    expect((await as(admin, "GET", "/api/v1/admin/overview?days=0")).statusCode).toBe(400);
    expect((await as(teacher, "GET", "/api/v1/admin/overview")).statusCode).toBe(403);
  });
});

describe("one person's data", () => {
  it("exports everything about Ann and nothing about Ben (named poll answers only)", async () => {
    const res = await as(admin, "GET", `/api/v1/admin/users/${ann.user.id}/export`);
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-disposition"]).toBe(`attachment; filename="vtp-user-${ann.user.id}.json"`);
    const data = JSON.parse(res.body) as UserDataExport;
    expect(data.account).toMatchObject({ id: ann.user.id, email: ann.user.email, fullName: "Ann", role: "student" });
    const inClass = data.attendance.filter((row) => row.roomId === seeded.roomId);
    expect(inClass.map((row) => [row.talkMs, row.cameraMs, row.handsRaised])).toEqual([
      [60000, 600000, 1],
      [35000, 0, 1],
    ]);
    expect(data.chatMessages.map((message) => message.text)).toEqual(["Is mitosis on the test?", "Thanks!"]);
    expect(data.pollAnswers).toEqual([expect.objectContaining({ pollId: seeded.namedPollId, question: "Ready for the quiz?", choices: [0] })]);
    expect(data.quizSubmissions).toEqual([expect.objectContaining({ title: "Cells quiz", answers: [[0], [0]], score: 3 })]);
    expect(res.body).not.toContain("Ben");
    expect(res.body).not.toContain(ben.user.id);
    expect(res.body).not.toContain(seeded.anonymousPollId);
    expect((await as(teacher, "GET", `/api/v1/admin/users/${ann.user.id}/export`)).statusCode).toBe(403);
    expect((await as(admin, "GET", "/api/v1/admin/users/00000000-0000-4000-8000-000000000000/export")).statusCode).toBe(404);
  });

  it("erases Ann's attendance, chat texts (placeholders keep the sequence) and named answers; Ben's stay", async () => {
    expect((await as(ann, "DELETE", `/api/v1/admin/users/${ann.user.id}/data`)).statusCode).toBe(403);
    const res = await as(admin, "DELETE", `/api/v1/admin/users/${ann.user.id}/data`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ attendanceSessions: 4, chatMessages: 2, pollAnswers: 1, quizSubmissions: 1 });

    const record = (await as(teacher, "GET", `/api/v1/rooms/${seeded.roomId}/record`)).json();
    expect(record.rows.map((row: { name: string }) => row.name)).toEqual(["Ben"]);
    expect(record.polls.map((poll: { answers: number }) => poll.answers)).toEqual([0, 2]);
    const history = (await as(teacher, "GET", `/api/v1/rooms/${seeded.roomId}/messages`)).json();
    expect(history.messages.map((message: { seq: number }) => message.seq)).toEqual([1, 2, 3]);
    expect(JSON.stringify(history)).not.toContain("mitosis");
    expect(JSON.stringify(history)).toContain("Ben here");

    const after = JSON.parse((await as(admin, "GET", `/api/v1/admin/users/${ann.user.id}/export`)).body) as UserDataExport;
    expect(after).toMatchObject({ attendance: [], chatMessages: [], pollAnswers: [], quizSubmissions: [] });
    expect((await as(admin, "DELETE", `/api/v1/admin/users/${ann.user.id}/data`)).json()).toEqual({
      attendanceSessions: 0,
      chatMessages: 0,
      pollAnswers: 0,
      quizSubmissions: 0,
    });
  });

  it("deletes a class's record with the class", async () => {
    const db = testApp.app.ctx.db;
    const count = async (table: "attendance" | "polls" | "chat_messages" | "quizzes") =>
      Number((await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where room_id = ${seeded.roomId}`.execute(db)).rows[0]!.n);
    expect(await count("attendance")).toBeGreaterThan(0);
    expect(await count("polls")).toBe(2);
    expect(await count("quizzes")).toBe(1);
    expect((await as(teacher, "DELETE", `/api/v1/rooms/${seeded.roomId}`)).statusCode).toBe(200);
    expect(await count("attendance")).toBe(0);
    expect(await count("polls")).toBe(0);
    expect(await count("chat_messages")).toBe(0);
    expect(await count("quizzes")).toBe(0);
    const answers = await sql<{
      n: number;
    }>`select count(*)::int as n from poll_answers where poll_id in (${seeded.namedPollId}, ${seeded.anonymousPollId})`.execute(db);
    expect(answers.rows[0]!.n).toBe(0);
    expect((await as(teacher, "GET", `/api/v1/rooms/${seeded.roomId}/record`)).statusCode).toBe(404);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import type { ClassRecordResponse, MyRecordResponse, TeachingRecordResponse } from "@vtp/protocol";
import { makeAdmin, type TestApp } from "../../helpers/app.js";
import { listeningApp, person, type Person, type TestClient } from "../rooms/helpers.js";
import { classTime, seedClass, type SeededClass } from "./seed.js";

/**
 * The class record of a class that happened (seed.ts): the host's table, its CSV and JSON
 * downloads, a student's own row only, outsiders refused, a student's record across classes and
 * the teacher's classes with their totals.
 */
let testApp: TestApp;
let url: string;
let teacher: Person, ann: Person, ben: Person, carl: Person;
let admin: Awaited<ReturnType<typeof makeAdmin>>;
let seeded: SeededClass;
const clients: TestClient[] = [];

beforeAll(async () => {
  ({ t: testApp, url } = await listeningApp({ VTP_MEDIA: "off" }));
  teacher = await person(testApp, "teacher", "Ms Teacher");
  ann = await person(testApp, "student", "Ann");
  ben = await person(testApp, "student", "Ben");
  carl = await person(testApp, "student", "Carl");
  admin = await makeAdmin(testApp);
  seeded = await seedClass(testApp, url, teacher, ann, ben, clients);
});
afterAll(async () => {
  for (const client of clients) client.close();
  await testApp?.close();
});

const get = (path: string, headers?: Record<string, string>) => testApp.app.inject({ method: "GET", url: path, headers });

describe("the class record", () => {
  it("gives the host every student's numbers, the polls' class totals and the timeline", async () => {
    const res = await get(`/api/v1/rooms/${seeded.roomId}/record`, teacher.auth);
    expect(res.statusCode).toBe(200);
    const record = res.json() as ClassRecordResponse;
    expect(record.view).toBe("host");
    expect(record.lateAfterMinutes).toBe(5);
    expect(record.class).toMatchObject({ title: "Cell biology", status: "ended", hostName: "Ms Teacher", durationMinutes: 60 });
    expect(record.rows.map((row) => row.name)).toEqual(["Ann", "Ben"]);
    expect(record.rows[0]).toEqual({
      userId: ann.user.id,
      name: "Ann",
      email: ann.user.email,
      role: "student",
      minutesPresent: 48,
      firstJoinAt: classTime(2).toISOString(),
      lastLeaveAt: classTime(60).toISOString(),
      late: false,
      minutesLate: 2,
      sessions: 2,
      talkSeconds: 95,
      cameraSeconds: 600,
      groupSeconds: 0,
      chatMessages: 2,
      handsRaised: 2,
      pollsAnswered: 1,
      pollsAsked: 1,
      quizScore: 3,
      quizMaxScore: 3,
    });
    expect(record.rows[1]).toMatchObject({
      name: "Ben",
      minutesPresent: 50,
      late: true,
      minutesLate: 10,
      sessions: 1,
      talkSeconds: 30,
      cameraSeconds: 0,
      chatMessages: 1,
      handsRaised: 0,
      pollsAnswered: 0,
      pollsAsked: 1,
      quizScore: 1,
      quizMaxScore: 3,
    });
    expect(record.quizzes).toEqual([expect.objectContaining({ title: "Cells quiz", status: "closed", maxScore: 3, submissions: 2, averageScore: 2 })]);
    expect(record.polls).toEqual([
      expect.objectContaining({ pollId: seeded.namedPollId, question: "Ready for the quiz?", anonymous: false, answers: 1 }),
      expect.objectContaining({ pollId: seeded.anonymousPollId, question: "How hard was today?", anonymous: true, answers: 2 }),
    ]);
    expect(record.sessions.map((session) => [session.name, session.joinedAt, session.leftAt])).toEqual([
      ["Ann", classTime(2).toISOString(), classTime(20).toISOString()],
      ["Ben", classTime(10).toISOString(), classTime(60).toISOString()],
      ["Ann", classTime(30).toISOString(), classTime(60).toISOString()],
    ]);
    // An admin sees the same record.
    expect((await get(`/api/v1/rooms/${seeded.roomId}/record`, admin.auth)).json().rows).toHaveLength(2);
  });

  it("exports the table as CSV in the page's words, times with their offset, and as JSON", async () => {
    const res = await get(`/api/v1/rooms/${seeded.roomId}/record?format=csv&tz=Europe/Paris`, teacher.auth);
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(res.headers["content-disposition"]).toBe(`attachment; filename="class-record-${seeded.code}.csv"`);
    const lines = res.body.split("\r\n");
    expect(lines[0]).toBe(
      "Name,Email,Role,Minutes present,First joined,Last left,Late (over 5 min),Sessions,Talk time (s),Camera on (s),In groups (s),Chat messages,Hands raised,Polls answered,Quiz score",
    );
    const paris = (date: Date) => {
      const hour = String(date.getUTCHours() + 1).padStart(2, "0");
      return `${date.toISOString().slice(0, 10)}T${hour}:${date.toISOString().slice(14, 19)}+01:00`;
    };
    expect(lines[1]).toBe(`Ann,${ann.user.email},Student,48.0,${paris(classTime(2))},${paris(classTime(60))},no,2,95,600,0,2,2,1 of 1,3 of 3`);
    expect(lines[2]).toBe(`Ben,${ben.user.email},Student,50.0,${paris(classTime(10))},${paris(classTime(60))},"yes, 10.0 min",1,30,0,0,1,0,0 of 1,1 of 3`);
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe("");

    const json = await get(`/api/v1/rooms/${seeded.roomId}/record?format=json`, teacher.auth);
    expect(json.headers["content-disposition"]).toBe(`attachment; filename="class-record-${seeded.code}.json"`);
    expect(JSON.parse(json.body).rows).toHaveLength(2);
    expect((await get(`/api/v1/rooms/${seeded.roomId}/record?format=csv&tz=Mars/Olympus`, teacher.auth)).json().error.code).toBe("VALIDATION_FAILED");
  });

  it("quotes a cell a spreadsheet would run as a formula", async () => {
    await sql`update users set full_name = '=HYPERLINK("x")' where id = ${ben.user.id}`.execute(testApp.app.ctx.db);
    try {
      const csv = (await get(`/api/v1/rooms/${seeded.roomId}/record?format=csv`, teacher.auth)).body;
      expect(csv.split("\r\n")[2]!.startsWith(`"'=HYPERLINK(""x"")",`)).toBe(true);
    } finally {
      await sql`update users set full_name = 'Ben' where id = ${ben.user.id}`.execute(testApp.app.ctx.db);
    }
  });

  it("gives a student their own row and sessions only, never a classmate's", async () => {
    const res = await get(`/api/v1/rooms/${seeded.roomId}/record`, ben.auth);
    expect(res.statusCode).toBe(200);
    const record = res.json() as ClassRecordResponse;
    expect(record.view).toBe("student");
    expect(record.rows).toHaveLength(1);
    expect(record.rows[0]).toMatchObject({ name: "Ben", late: true, chatMessages: 1 });
    expect(record.sessions.map((session) => session.name)).toEqual(["Ben"]);
    expect(record.polls).toEqual([]);
    expect(record.quizzes).toEqual([]);
    expect(record.rows[0]).toMatchObject({ quizScore: 1, quizMaxScore: 3 });
    expect(res.body).not.toContain("Ann");
    expect(res.body).not.toContain(ann.user.id);
    const csv = await get(`/api/v1/rooms/${seeded.roomId}/record?format=csv`, ben.auth);
    expect(csv.body.split("\r\n").filter(Boolean)).toHaveLength(2);
    expect(csv.body).not.toContain("Ann");
  });

  it("refuses outsiders and anonymous callers, and says so for an unknown class", async () => {
    const outsider = await get(`/api/v1/rooms/${seeded.roomId}/record`, carl.auth);
    expect(outsider.statusCode).toBe(403);
    expect(outsider.json().error.code).toBe("FORBIDDEN");
    expect((await get(`/api/v1/rooms/${seeded.roomId}/record?format=csv`, carl.auth)).statusCode).toBe(403);
    expect((await get(`/api/v1/rooms/${seeded.roomId}/record`)).statusCode).toBe(401);
    expect((await get(`/api/v1/rooms/00000000-0000-4000-8000-000000000000/record`, teacher.auth)).statusCode).toBe(404);
    expect((await get(`/api/v1/rooms/not-a-uuid/record`, teacher.auth)).statusCode).toBe(400);
  });

  it("gives a student their own record across classes, and the teacher the classes' totals", async () => {
    const mine = (await get("/api/v1/me/record", ann.auth)).json() as MyRecordResponse;
    expect(mine.classes).toHaveLength(1);
    expect(mine.classes[0]).toMatchObject({ class: { id: seeded.roomId, title: "Cell biology" }, row: { name: "Ann", minutesPresent: 48, handsRaised: 2 } });
    expect((await get("/api/v1/me/record", carl.auth)).json()).toEqual({ classes: [] });

    const teaching = (await get("/api/v1/teaching/record", teacher.auth)).json() as TeachingRecordResponse;
    expect(teaching.classes).toHaveLength(1);
    expect(teaching.classes[0]).toMatchObject({
      class: { id: seeded.roomId },
      students: 2,
      lateArrivals: 1,
      averageMinutesPresent: 49,
      talkSeconds: 125,
      chatMessages: 3,
      handsRaised: 2,
      pollAnswers: 1,
      pollsAsked: 1,
    });
    expect((await get("/api/v1/teaching/record", ann.auth)).statusCode).toBe(403);
  });
});

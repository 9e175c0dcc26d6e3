import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import type { Browser, Page } from "playwright-core";
import { createPgDatabase } from "../../helpers/db.js";
import { TestClient } from "../../integration/rooms/helpers.js";
import { chromiumMissing, shot, signInUi, verifiedUser, webE2E, type Server } from "./harness";

const skip = chromiumMissing();
const BASE_DB = process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
const ADMIN = { email: "admin-record@example.org", password: "admin password 123", fullName: "Admin" };

/** Yesterday at 09:00 UTC plus `minutes` (the class ran 09:00–10:00). */
const classTime = (minutes: number) => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 1, 9, 0, 0) + minutes * 60_000);
};
/** The same instant as Paris wall-clock time in winter (+01:00), as the CSV writes it. */
const paris = (date: Date) => `${date.toISOString().slice(0, 10)}T${String(date.getUTCHours() + 1).padStart(2, "0")}:${date.toISOString().slice(14, 19)}+01:00`;

interface Account {
  email: string;
  password: string;
  fullName: string;
}

async function login(server: Server, who: Account): Promise<{ token: string; id: string }> {
  const res = await fetch(`${server.url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: who.email, password: who.password }),
  });
  const body = await res.json();
  return { token: body.accessToken, id: body.user.id };
}

/**
 * Plays a class over the real sockets (Ann: hand, two messages, both polls, quiz 3 of 3, leaves
 * and comes back, hand again; Ben: one message, the anonymous poll, quiz 1 of 3), ends it, then sets the times and
 * the talk and camera times the SFU would have written, straight in the database.
 */
async function seedClass(server: Server, db: pg.Client, teacher: Account, ann: Account, ben: Account): Promise<string> {
  const [teacherLogin, annLogin, benLogin] = await Promise.all([login(server, teacher), login(server, ann), login(server, ben)]);
  const created = await fetch(`${server.url}/api/v1/rooms`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${teacherLogin.token}` },
    body: JSON.stringify({ title: "Cell biology" }),
  });
  const roomId = (await created.json()).room.id as string;
  const clients: TestClient[] = [];
  const join = async (token: string, name: string) => {
    const client = await TestClient.connect(server.url, token, name);
    clients.push(client);
    const ack = await client.emit("join-room", { roomId });
    if (!ack.ok) throw new Error(`${name} could not join: ${JSON.stringify(ack)}`);
    return client;
  };
  const must = <T extends { ok: boolean }>(ack: T): T => {
    if (!ack.ok) throw new Error(JSON.stringify(ack));
    return ack;
  };
  try {
    const host = await join(teacherLogin.token, "teacher");
    const annFirst = await join(annLogin.token, "ann");
    must(await annFirst.emit("raise-hand", { roomId }));
    must(await annFirst.emit("chat-send", { roomId, text: "Is mitosis on the test?" }));
    must(await annFirst.emit("chat-send", { roomId, text: "Thanks!" }));
    const benClient = await join(benLogin.token, "ben");
    must(await benClient.emit("chat-send", { roomId, text: "Ben here" }));
    const named = must(await host.emit("poll-create", { roomId, poll: { question: "Ready for the quiz?", kind: "yes-no" }, open: true }));
    const anonymous = must(await host.emit("poll-create", { roomId, poll: { question: "How hard was today?", kind: "rating", anonymous: true }, open: true }));
    must(await annFirst.emit("poll-answer", { roomId, pollId: named.poll.id, choices: [0] }));
    must(await annFirst.emit("poll-answer", { roomId, pollId: anonymous.poll.id, choices: [3] }));
    must(await benClient.emit("poll-answer", { roomId, pollId: anonymous.poll.id, choices: [4] }));
    must(await host.emit("poll-close", { roomId, pollId: named.poll.id }));
    must(await host.emit("poll-close", { roomId, pollId: anonymous.poll.id }));
    const quiz = must(
      await host.emit("quiz-create", {
        roomId,
        quiz: {
          title: "Cells quiz",
          questions: [
            { text: "Where is the DNA?", kind: "single", options: ["Nucleus", "Wall"], correct: [0], points: 2 },
            { text: "Do plant cells have walls?", kind: "yes-no", correct: [0] },
          ],
        },
        open: true,
      }),
    );
    must(await annFirst.emit("quiz-submit", { roomId, quizId: quiz.quiz.id, answers: [[0], [0]] }));
    must(await benClient.emit("quiz-submit", { roomId, quizId: quiz.quiz.id, answers: [[1], [0]] }));
    must(await host.emit("quiz-close", { roomId, quizId: quiz.quiz.id }));
    must(await annFirst.emit("leave-room", { roomId }));
    annFirst.close();
    const annAgain = await join(annLogin.token, "ann again");
    must(await annAgain.emit("raise-hand", { roomId }));
    const ended = await fetch(`${server.url}/api/v1/rooms/${roomId}/end`, {
      method: "POST",
      headers: { authorization: `Bearer ${teacherLogin.token}`, "content-type": "application/json" },
      body: "{}",
    });
    if (!ended.ok) throw new Error(`end: ${ended.status}`);
  } finally {
    for (const client of clients) client.close();
  }
  await db.query("update rooms set started_at = $2, ended_at = $3 where id = $1", [roomId, classTime(0), classTime(60)]);
  await db.query("update attendance set joined_at = $3, left_at = $4 where room_id = $1 and user_id = $2", [
    roomId,
    teacherLogin.id,
    classTime(0),
    classTime(60),
  ]);
  const annRows = await db.query("select id from attendance where room_id = $1 and user_id = $2 order by joined_at", [roomId, annLogin.id]);
  if (annRows.rows.length !== 2) throw new Error(`Ann has ${annRows.rows.length} sessions`);
  await db.query("update attendance set joined_at = $2, left_at = $3, talk_ms = 60000, camera_ms = 600000 where id = $1", [
    annRows.rows[0].id,
    classTime(2),
    classTime(20),
  ]);
  await db.query("update attendance set joined_at = $2, left_at = $3, talk_ms = 35000 where id = $1", [annRows.rows[1].id, classTime(30), classTime(60)]);
  await db.query("update attendance set joined_at = $3, left_at = $4, talk_ms = 30000 where room_id = $1 and user_id = $2", [
    roomId,
    benLogin.id,
    classTime(10),
    classTime(60),
  ]);
  return roomId;
}

/** Pixels of the canvas that are not fully transparent (a drawn chart has thousands). */
const paintedPixels = (page: Page, testId: string) =>
  page.evaluate((id) => {
    const canvas = document.querySelector<HTMLCanvasElement>(`[data-testid="${id}"]`);
    const context = canvas?.getContext("2d");
    if (!canvas || !context) return -1;
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
    return painted;
  }, testId);

async function pageIn(browser: Browser, server: Server, who: Account): Promise<Page> {
  const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 900 }, timezoneId: "Europe/Paris", acceptDownloads: true });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  await signInUi(page, who);
  return page;
}

describe.skipIf(Boolean(skip))("web: the class record in real Chromium", () => {
  const database: { url: string; drop(): Promise<void> } = { url: "", drop: async () => {} };
  const db = { client: undefined as unknown as pg.Client };
  beforeAll(async () => {
    Object.assign(database, await createPgDatabase(BASE_DB));
  });
  const web = webE2E(() => ({ DATABASE_URL: database.url, VTP_MEDIA: "off", VTP_ADMIN_EMAIL: ADMIN.email, VTP_ADMIN_PASSWORD: ADMIN.password }));
  beforeAll(async () => {
    db.client = new pg.Client({ connectionString: database.url });
    await db.client.connect();
  });
  afterAll(async () => {
    await db.client?.end();
    await database.drop();
  });

  it("the teacher opens the record of a class that happened: the numbers, the charts, the CSV; a student sees only their own line", async () => {
    const [teacher, ann, ben] = await Promise.all([
      verifiedUser(web.server, "teacher", "Tess Teacher"),
      verifiedUser(web.server, "student", "Ann"),
      verifiedUser(web.server, "student", "Ben"),
    ]);
    const roomId = await seedClass(web.server, db.client, teacher, ann, ben);

    const page = await pageIn(web.browser, web.server, teacher);
    await page.locator('[data-testid="class-card-record"]').first().click();
    await page.waitForURL(`**/classes/${roomId}/record`);
    const rows = page.getByTestId("record-row");
    await rows.nth(1).waitFor();
    expect(await rows.count()).toBe(2);
    const annRow = rows.nth(0);
    expect(await annRow.locator("strong").textContent()).toBe("Ann");
    expect(await annRow.getByTestId("record-minutes").textContent()).toBe("48.0");
    expect(await annRow.getByTestId("record-late").textContent()).toBe("No");
    expect(await annRow.getByTestId("record-talk").textContent()).toBe("1 min 35 s");
    expect(await annRow.getByTestId("record-chat").textContent()).toBe("2");
    expect(await annRow.getByTestId("record-hands").textContent()).toBe("2");
    expect(await annRow.getByTestId("record-polls").textContent()).toBe("1 of 1");
    expect(await annRow.getByTestId("record-quiz").textContent()).toBe("3 of 3");
    const benRow = rows.nth(1);
    expect(await benRow.getByTestId("record-late").textContent()).toBe("10.0 min late");
    expect(await benRow.getByTestId("record-polls").textContent()).toBe("0 of 1");
    expect(await benRow.getByTestId("record-quiz").textContent()).toBe("1 of 3");
    expect(await page.getByTestId("record-late-rule").textContent()).toContain("more than 5 minutes after the class went live");
    expect((await page.getByTestId("record-poll-list").textContent())?.replace(/\s+/g, " ")).toContain("How hard was today? (anonymous) — 2 of 2 answered");

    for (const chart of ["record-timeline-chart", "record-participation-chart", "record-polls-chart", "record-quiz-chart"]) {
      await page.locator(`[data-testid="${chart}"][data-drawn="true"]`).waitFor();
      expect(await paintedPixels(page, chart), chart).toBeGreaterThan(500);
    }
    await shot(page, "record-teacher");

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("record-csv").click()]);
    const csv = readFileSync((await download.path())!, "utf8");
    expect(download.suggestedFilename()).toMatch(/^class-record-[A-Z0-9]+\.csv$/);
    expect(csv).toBe(
      [
        "Name,Email,Role,Minutes present,First joined,Last left,Late (over 5 min),Sessions,Talk time (s),Camera on (s),In groups (s),Chat messages,Hands raised,Polls answered,Quiz score",
        `Ann,${ann.email},Student,48.0,${paris(classTime(2))},${paris(classTime(60))},no,2,95,600,0,2,2,1 of 1,3 of 3`,
        `Ben,${ben.email},Student,50.0,${paris(classTime(10))},${paris(classTime(60))},"yes, 10.0 min",1,30,0,0,1,0,0 of 1,1 of 3`,
        "",
      ].join("\r\n"),
    );

    // Participation over the course, on the teacher's "My record".
    await page.goto("/my-record");
    await page.getByTestId("teaching-row").waitFor();
    await page.locator('[data-testid="course-chart"][data-drawn="true"]').waitFor();
    expect(await paintedPixels(page, "course-chart")).toBeGreaterThan(500);
    await shot(page, "record-teacher-course");

    // Ben: his own record, across classes and in the class; never Ann's.
    const student = await pageIn(web.browser, web.server, ben);
    await student.goto("/my-record");
    await student.getByTestId("my-record-row").waitFor();
    expect(await student.getByTestId("my-record-row").count()).toBe(1);
    await student.getByTestId("my-record-row").getByRole("link", { name: "Cell biology" }).click();
    await student.waitForURL(`**/classes/${roomId}/record`);
    await student.getByTestId("record-row").waitFor();
    expect(await student.getByTestId("record-row").count()).toBe(1);
    expect(await student.getByTestId("record-late").textContent()).toBe("10.0 min late");
    expect(await student.getByTestId("record-chat").textContent()).toBe("1");
    expect(await student.getByTestId("record-quiz").textContent()).toBe("1 of 3");
    expect(await student.getByTestId("record-quiz-chart").count()).toBe(0);
    await student.locator('[data-testid="record-timeline-chart"][data-drawn="true"]').waitFor();
    expect(await student.getByText("Ann").count()).toBe(0);
    expect(await student.getByTestId("record-participation-chart").count()).toBe(0);
    await shot(student, "record-student");
    await student.context().close();
    await page.context().close();
  });

  it("the admin's overview shows yesterday's class: held, hours, the most people at once, the media load", async () => {
    // What the app servers' media load sampler writes: the class's media node in two minutes.
    for (const [minute, bits] of [
      [5, 2_400_000],
      [6, 1_600_000],
    ] as const)
      await db.client.query(
        `insert into media_load (node_id, minute, at, span_seconds, peers, transports, producers, consumers, bits_per_second, packets_per_second, cpu_cores)
         values ('http://media-1:4000', $1, $1, 60, 3, 3, 3, 6, $2, $3, 0.3)`,
        [classTime(minute), bits, bits / 10_000],
      );
    const page = await pageIn(web.browser, web.server, ADMIN);
    await page.goto("/admin/users");
    await page.getByRole("link", { name: "Overview" }).click();
    await page.waitForURL("**/admin/overview");
    const yesterday = classTime(0).toISOString().slice(0, 10);
    const row = page.locator('[data-testid="overview-row"]', { hasText: yesterday });
    await row.waitFor();
    expect((await row.locator("td").allTextContents()).map((text) => text.trim())).toEqual([
      yesterday,
      "1",
      "1.0",
      "3",
      "2.4 Mbit/s",
      "2.0 Mbit/s",
      "3 / 6",
      "6",
      "1",
      "0",
      "0 B",
    ]);
    await page.locator('[data-testid="overview-chart"][data-drawn="true"]').waitFor();
    expect(await paintedPixels(page, "overview-chart")).toBeGreaterThan(500);
    await page.locator('[data-testid="overview-media-chart"][data-drawn="true"]').waitFor();
    expect(await paintedPixels(page, "overview-media-chart")).toBeGreaterThan(500);
    const total = await page.getByTestId("overview-media-total").textContent();
    expect(total).toContain("2.4 Mbit/s");
    expect(total).toContain("6 media minutes on 1 media node; at most 3 tracks in, 6 out and 0.3 media CPU cores busy");
    await shot(page, "record-admin-overview");
    await page.context().close();
  });
});

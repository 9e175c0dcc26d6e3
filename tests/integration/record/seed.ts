import { sql } from "kysely";
import type { TestApp } from "../../helpers/app.js";
import { createRoom, joined, type Person, type TestClient } from "../rooms/helpers.js";

/** Yesterday at 09:00 UTC plus `minutes`: the class of the seed runs from 09:00 to 10:00. */
export function classTime(minutes: number, now = new Date()): Date {
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 1, 9, 0, 0);
  return new Date(day + minutes * 60_000);
}

export interface SeededClass {
  roomId: string;
  code: string;
  namedPollId: string;
  anonymousPollId: string;
}

/**
 * A class that happened, played over the real sockets: Ann joins, raises her hand, writes
 * twice, answers both polls, leaves, comes back and raises her hand again; Ben joins, writes
 * once and answers only the anonymous poll; in the quiz (3 points) Ann scores 3, Ben 1; the
 * teacher ends the class. Then the times are set
 * (the class ran 09:00–10:00 yesterday; Ann 09:02–09:20 and 09:30–10:00, Ben 09:10–10:00, late)
 * and the talk and camera times the SFU would have written (Ann 95 s / 600 s, Ben 30 s / 0 s).
 */
export async function seedClass(testApp: TestApp, url: string, teacher: Person, ann: Person, ben: Person, clients: TestClient[]): Promise<SeededClass> {
  const room = await createRoom(testApp, teacher, { title: "Cell biology" });
  const host = (await joined(url, teacher, room.id)).c;
  clients.push(host);
  const annFirst = (await joined(url, ann, room.id)).c;
  clients.push(annFirst);
  const must = <T extends { ok: boolean }>(ack: T, what: string): T => {
    if (!ack.ok) throw new Error(`${what}: ${JSON.stringify(ack)}`);
    return ack;
  };
  must(await annFirst.emit("raise-hand", { roomId: room.id }), "raise-hand");
  must(await annFirst.emit("chat-send", { roomId: room.id, text: "Is mitosis on the test?" }), "chat");
  must(await annFirst.emit("chat-send", { roomId: room.id, text: "Thanks!" }), "chat");
  const benClient = (await joined(url, ben, room.id)).c;
  clients.push(benClient);
  must(await benClient.emit("chat-send", { roomId: room.id, text: "Ben here" }), "chat");

  const named = must(await host.emit("poll-create", { roomId: room.id, poll: { question: "Ready for the quiz?", kind: "yes-no" }, open: true }), "poll");
  const anonymous = must(
    await host.emit("poll-create", { roomId: room.id, poll: { question: "How hard was today?", kind: "rating", anonymous: true }, open: true }),
    "poll",
  );
  must(await annFirst.emit("poll-answer", { roomId: room.id, pollId: named.poll.id, choices: [0] }), "answer");
  must(await annFirst.emit("poll-answer", { roomId: room.id, pollId: anonymous.poll.id, choices: [3] }), "answer");
  must(await benClient.emit("poll-answer", { roomId: room.id, pollId: anonymous.poll.id, choices: [4] }), "answer");
  must(await host.emit("poll-close", { roomId: room.id, pollId: named.poll.id }), "close");
  must(await host.emit("poll-close", { roomId: room.id, pollId: anonymous.poll.id }), "close");

  const quiz = must(
    await host.emit("quiz-create", {
      roomId: room.id,
      quiz: {
        title: "Cells quiz",
        questions: [
          { text: "Where is the DNA?", kind: "single", options: ["Nucleus", "Wall"], correct: [0], points: 2 },
          { text: "Do plant cells have walls?", kind: "yes-no", correct: [0] },
        ],
      },
      open: true,
    }),
    "quiz",
  );
  must(await annFirst.emit("quiz-submit", { roomId: room.id, quizId: quiz.quiz.id, answers: [[0], [0]] }), "quiz answer");
  must(await benClient.emit("quiz-submit", { roomId: room.id, quizId: quiz.quiz.id, answers: [[1], [0]] }), "quiz answer");
  must(await host.emit("quiz-close", { roomId: room.id, quizId: quiz.quiz.id }), "quiz close");

  must(await annFirst.emit("leave-room", { roomId: room.id }), "leave");
  annFirst.close();
  const annAgain = (await joined(url, ann, room.id)).c;
  clients.push(annAgain);
  must(await annAgain.emit("raise-hand", { roomId: room.id }), "raise-hand again");
  const ended = await testApp.app.inject({ method: "POST", url: `/api/v1/rooms/${room.id}/end`, headers: teacher.auth });
  if (ended.statusCode !== 200) throw new Error(`end: ${ended.body}`);

  const db = testApp.app.ctx.db;
  await sql`update rooms set started_at = ${classTime(0)}, ended_at = ${classTime(60)} where id = ${room.id}`.execute(db);
  await sql`update attendance set joined_at = ${classTime(0)}, left_at = ${classTime(60)} where room_id = ${room.id} and user_id = ${teacher.user.id}`.execute(
    db,
  );
  const annRows = await sql<{ id: string }>`select id from attendance where room_id = ${room.id} and user_id = ${ann.user.id} order by joined_at`.execute(db);
  if (annRows.rows.length !== 2) throw new Error(`Ann has ${annRows.rows.length} sessions`);
  const [annOne, annTwo] = annRows.rows.map((row) => row.id);
  await sql`update attendance set joined_at = ${classTime(2)}, left_at = ${classTime(20)}, talk_ms = 60000, camera_ms = 600000 where id = ${annOne}`.execute(
    db,
  );
  await sql`update attendance set joined_at = ${classTime(30)}, left_at = ${classTime(60)}, talk_ms = 35000 where id = ${annTwo}`.execute(db);
  await sql`update attendance set joined_at = ${classTime(10)}, left_at = ${classTime(60)}, talk_ms = 30000 where room_id = ${room.id} and user_id = ${ben.user.id}`.execute(
    db,
  );
  return { roomId: room.id, code: room.code, namedPollId: named.poll.id, anonymousPollId: anonymous.poll.id };
}

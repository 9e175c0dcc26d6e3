import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { PDFDocument } from "pdf-lib";
import type { TestApp } from "../../helpers/app.js";
import { makeAdmin } from "../../helpers/app.js";
import { createRoom, person, TestClient, type Person } from "../rooms/helpers.js";

let onePage: Buffer | undefined;
/** A one-page PDF (made once). */
export async function tinyPdf(): Promise<Buffer> {
  if (!onePage) {
    const doc = await PDFDocument.create();
    doc.addPage([200, 200]);
    onePage = Buffer.from(await doc.save());
  }
  return onePage;
}

/** The roles the authorization matrix acts as. */
export const ROLES = ["anonymous", "student", "outsider", "host", "teacher", "presenter", "admin", "disabled"] as const;
export type Role = (typeof ROLES)[number];
/** The roles that can open a socket at all (anonymous and disabled are refused at the handshake). */
export const SOCKET_ROLES = ["student", "outsider", "host", "teacher", "presenter", "admin"] as const;
export type SocketRole = (typeof SOCKET_ROLES)[number];

export type Actor = Person & { password: string; email: string };

/**
 * The people of the matrix: `host` (a teacher) hosts class A, where `student` and `presenter`
 * (promoted by the host: a speaker) take part; `teacher` hosts class B, where `outsider` (a
 * student of another class) takes part; `admin`; `disabled`, a student whose account an admin
 * disabled after they signed in (their access token is otherwise valid).
 */
export interface People {
  actors: Record<Exclude<Role, "anonymous">, Actor>;
  /** A user the admin routes act on (not one of the actors). */
  target: Actor;
  classB: { id: string };
}

export async function makePeople(testApp: TestApp): Promise<People> {
  const actor = async (role: "teacher" | "student", name: string) => ({ ...(await person(testApp, role, name)), password: "correct horse battery" }) as Actor;
  const admin = await makeAdmin(testApp);
  const actors = {
    student: await actor("student", "Student A"),
    outsider: await actor("student", "Student B"),
    host: await actor("teacher", "Host A"),
    teacher: await actor("teacher", "Host B"),
    presenter: await actor("student", "Speaker A"),
    admin: { ...admin, password: admin.password } as unknown as Actor,
    disabled: await actor("student", "Disabled"),
  };
  const target = await actor("student", "Target");
  const off = await testApp.app.inject({
    method: "PATCH",
    url: `/api/v1/admin/users/${actors.disabled.user.id}`,
    headers: admin.auth,
    payload: { disabled: true },
  });
  if (off.statusCode !== 200) throw new Error(`could not disable: ${off.body}`);
  const classB = await createRoom(testApp, actors.teacher, { title: "Class B" });
  return { actors, target, classB };
}

/** One fresh class A, live, with its people in it, and a recording of it with a share link. */
export interface ClassA {
  roomId: string;
  code: string;
  recordingId: string;
  shareToken: string;
  /** Participant ids in class A. */
  pid: { host: string; student: string; presenter: string };
  /** A chat message the student sent in class A. */
  messageId: string;
  /** A poll the host opened in class A, and a draft the host prepared. */
  pollId: string;
  draftPollId: string;
  /** A quiz the host opened in class A, and a draft the host prepared. */
  quizId: string;
  draftQuizId: string;
  /** A material (one-page PDF) the host uploaded to class A. */
  materialId: string;
  sockets: Partial<Record<SocketRole, TestClient>>;
  close(): Promise<void>;
}

export async function makeClassA(testApp: TestApp, url: string, people: People, actingRole?: Role, recording = false): Promise<ClassA> {
  const { actors } = people;
  const room = await createRoom(testApp, actors.host, { title: "Class A" });
  const sockets: Partial<Record<SocketRole, TestClient>> = {};
  const join = async (role: SocketRole, roomId: string) => {
    const client = await TestClient.connect(url, actors[role].accessToken, role);
    sockets[role] = client;
    const ack = await client.emit("join-room", { roomId });
    if (!ack.ok) throw new Error(`${role} could not join: ${JSON.stringify(ack.error)}`);
    return ack.participantId;
  };
  const host = await join("host", room.id);
  const student = await join("student", room.id);
  const presenter = await join("presenter", room.id);
  const promoted = await sockets.host!.emit("promote", { participantId: presenter });
  if (!promoted.ok) throw new Error(`promote: ${JSON.stringify(promoted.error)}`);
  const msg = await sockets.student!.emit("chat-send", { text: "hello" });
  const openPoll = await sockets.host!.emit("poll-create", { roomId: room.id, poll: { question: "Ready?", kind: "yes-no" }, open: true });
  const draftPoll = await sockets.host!.emit("poll-create", { roomId: room.id, poll: { question: "Later?", kind: "yes-no" } });
  if (!openPoll.ok || !draftPoll.ok) throw new Error(`poll-create: ${JSON.stringify(openPoll.error ?? draftPoll.error)}`);
  const quiz = { title: "Check", questions: [{ text: "Ready?", kind: "yes-no" as const, correct: [0] }] };
  const openQuiz = await sockets.host!.emit("quiz-create", { roomId: room.id, quiz, open: true });
  const draftQuiz = await sockets.host!.emit("quiz-create", { roomId: room.id, quiz });
  if (!openQuiz.ok || !draftQuiz.ok) throw new Error(`quiz-create: ${JSON.stringify(openQuiz.error ?? draftQuiz.error)}`);
  const material = await testApp.app.inject({
    method: "POST",
    url: `/api/v1/rooms/${room.id}/materials`,
    headers: { ...actors.host.auth, "content-type": "application/pdf", "x-file-name": "slides.pdf" },
    payload: await tinyPdf(),
  });
  if (material.statusCode !== 201) throw new Error(`material upload: ${material.body}`);
  if (actingRole === "outsider") await join("outsider", people.classB.id);
  if (actingRole === "teacher" || actingRole === "admin") sockets[actingRole] = await TestClient.connect(url, actors[actingRole].accessToken, actingRole);
  if (actingRole === "admin") await sockets.admin!.emit("join-room", { roomId: room.id });

  const recordingId = randomUUID();
  await sql`insert into recordings (id, room_id, started_by, title, status, visibility, stopped_at, duration_seconds)
            values (${recordingId}, ${room.id}, ${actors.host.user.id}, 'Class A', 'ready', 'participants', now(), 60)`.execute(testApp.app.ctx.db);
  const share = await testApp.app.inject({ method: "POST", url: `/api/v1/recordings/${recordingId}/share`, headers: actors.host.auth, payload: {} });
  if (share.statusCode !== 201) throw new Error(`share: ${share.body}`);
  const shareToken =
    (share.json() as { token?: string; url?: string }).token ??
    String((share.json() as { url: string }).url)
      .split("/")
      .pop()!;
  let live: string | undefined;
  if (recording) {
    const res = await testApp.app.inject({ method: "POST", url: "/api/v1/recordings/start", headers: actors.host.auth, payload: { roomId: room.id } });
    if (res.statusCode !== 201) throw new Error(`start recording: ${res.body}`);
    live = res.json().recording.id;
  }
  return {
    roomId: room.id,
    code: room.code,
    recordingId,
    shareToken,
    pid: { host, student, presenter },
    messageId: msg.message.id,
    pollId: openPoll.poll.id,
    draftPollId: draftPoll.poll.id,
    quizId: openQuiz.quiz.id,
    draftQuizId: draftQuiz.quiz.id,
    materialId: material.json().material.id,
    sockets,
    async close() {
      if (live) await testApp.app.inject({ method: "POST", url: `/api/v1/recordings/${live}/stop`, headers: actors.host.auth });
      for (const c of Object.values(sockets)) c?.close();
    },
  };
}

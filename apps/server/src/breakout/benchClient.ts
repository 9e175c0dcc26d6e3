/**
 * A child process of `npm run bench:breakout` (bench.ts): a few students of the class, out of the
 * bench's and the server's event loops (as bench:joins' stormClient.ts). Each connects, joins the
 * class and, on every `breakout-moved`, starts their media over in the new room as the web client
 * does: `leave-media`, a recv transport consuming every producer there, a microphone in a group.
 * A student is *in* when a packet of every other publisher arrived (`mates` in a group, the
 * teacher in the main room). Any failure (a refused request, a failed connection, the server's
 * `media-reset`, its own set-up unfinished after `STALL_MS`) starts the media over, without limit, until the next
 * move — also after the student was in (their mates wait for their microphone).
 * argv: <server url> <class room id> <packets/s> <mates> <first index>; env BENCH_STUDENT_TOKENS: their tokens, comma-separated.
 * stdout: JSON lines — {ready}, {in: index, room, at}, {restart: index, reason}, {busy}.
 */
import type { Socket } from "socket.io-client";
import { ack, busy, connect, Session } from "./benchSession.js";
import { disableWeriftDefaultStun } from "../rtc/no-default-stun.js";

const [url = "", classRoomId = "", ppsArg, matesArg, firstArg] = process.argv.slice(2);
const tokens = (process.env.BENCH_STUDENT_TOKENS ?? "").split(",").filter(Boolean);
const pps = Number(ppsArg);
const mates = Number(matesArg);
const first = Number(firstArg);
/** A session that has not heard every publisher after this long starts over. */
const STALL_MS = 90_000;
const say = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

disableWeriftDefaultStun();

interface Student {
  index: number;
  socket: Socket;
  self: string;
  /** Bumped on every move: a loop of an older move stops. */
  move: number;
  session?: Session;
}

function fresh(student: Student, move: number, room: string, onNew: (e: NewProducer) => void, onReset: (e: Reset) => void) {
  const session = new Session(student.socket, pps);
  student.session = session;
  student.socket.on("new-producer", onNew);
  student.socket.on("media-reset", onReset);
  const detach = () => {
    student.socket.off("new-producer", onNew);
    student.socket.off("media-reset", onReset);
  };
  return { session, detach, stale: () => student.move !== move || student.session !== session, room };
}
type NewProducer = { roomId: string; peerId: string; producer: { producerId: string } };
type Reset = { roomId: string; reason: string };

/** The student's media in `room` from scratch, again after every failure, until the next move. */
async function follow(student: Student, move: number, room: string, publish: boolean, count: number): Promise<void> {
  let reported = false;
  for (let attempt = 0; student.move === move; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 700));
    if (student.move !== move) return;
    let session: Session | undefined;
    const onNew = (e: NewProducer) => {
      if (e.roomId === room && e.peerId !== student.self) void session?.consume(e.producer.producerId, e.peerId);
    };
    const onReset = (e: Reset) => {
      if (e.roomId === room) session?.fail(new Error(`media-reset (${e.reason})`));
    };
    const run = fresh(student, move, room, onNew, onReset);
    session = run.session;
    // Stuck in its own set-up for STALL_MS: start over. Set up and waiting for a mate's microphone: wait on.
    const watch = (): NodeJS.Timeout =>
      setTimeout(() => {
        if (session?.settled(publish)) stall = watch();
        else session?.fail(new Error(`stalled ${STALL_MS / 1000} s: ${session.describe()}`));
      }, STALL_MS);
    let stall = watch();
    try {
      session.step = "leave-media";
      await ack(student.socket, "leave-media", {});
      if (run.stale()) return;
      for (const present of await session.start()) if (present.peerId !== student.self) void session.consume(present.producerId, present.peerId);
      if (publish) await session.publish();
      await session.heardPeers(count, student.self);
      clearTimeout(stall);
      if (!reported && !run.stale()) {
        reported = true;
        say({ in: student.index, room, at: Date.now() });
      }
      // In: stay until this session fails (its restart keeps the mates' wait short) or a move.
      await new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (session?.failed || run.stale()) {
            clearInterval(check);
            resolve();
          }
        }, 100);
      });
      if (run.stale()) return;
      throw session.failed;
    } catch (err) {
      clearTimeout(stall);
      if (run.stale()) return;
      say({ restart: student.index, reason: String(err instanceof Error ? err.message : err).slice(0, 160) });
    } finally {
      run.detach();
      await session.close();
    }
  }
}

const students: Student[] = [];
for (const [i, token] of tokens.entries()) {
  const socket = await connect(url, token);
  const joined = await ack(socket, "join-room", { roomId: classRoomId });
  const student: Student = { index: first + i, socket, self: joined.participantId as string, move: 0 };
  students.push(student);
  socket.on("breakout-moved", (event: { groupId: string | null }) => {
    const move = ++student.move;
    student.session?.fail(new Error("moved"));
    const room = event.groupId ?? classRoomId;
    void follow(student, move, room, event.groupId !== null, event.groupId ? mates : 1);
  });
}
say({ ready: students.length });
setInterval(() => say({ busy: busy.count }), 1000);

process.once("SIGTERM", async () => {
  for (const student of students) {
    student.move++;
    await student.session?.close();
    student.socket.disconnect();
  }
  process.exit(0);
});

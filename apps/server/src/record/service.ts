import {
  LATE_AFTER_MINUTES,
  ROOM_ROLE_LABELS,
  type AdminOverviewResponse,
  type ClassRecordResponse,
  type MyRecordResponse,
  type OverviewMediaLoad,
  type RecordQuiz,
  type RecordClass,
  type RecordRow,
  type TeachingRecordResponse,
  type UserDataErasure,
  type UserDataExport,
} from "@vtp/protocol";
import type { DB } from "../db/index.js";
import { AppError } from "../errors/index.js";
import { isoInZone } from "../attendance/index.js";
import { RecordRepo, type MediaLoadDaySql, type RecordClassSql, type RecordRowSql } from "./repo.js";
import { PrivacyRepo } from "./privacy-repo.js";

/** A class's quizzes with each submission's score (QuizService.scoresOf). */
export interface QuizScoreSource {
  scoresOf(
    roomId: string,
  ): Promise<{ quizId: string; title: string; maxScore: number; status: RecordQuiz["status"]; scores: { userId: string; score: number }[] }[]>;
}

/** Per person, their points in the class's closed quizzes, and the most one could score. */
interface QuizTotals {
  scoreOf: (userId: string) => number;
  maxScore: number;
  quizzes: RecordQuiz[];
}
const NO_QUIZZES: QuizTotals = { scoreOf: () => 0, maxScore: 0, quizzes: [] };

const iso = (date: Date) => new Date(date).toISOString();
const isoOrNull = (date: Date | null) => (date ? iso(date) : null);
const oneDecimal = (value: number) => Math.round(value * 10) / 10;
const DAY_MS = 24 * 60 * 60 * 1000;

export function toMediaLoad(row: MediaLoadDaySql | undefined): OverviewMediaLoad {
  const number = (value: number | null | undefined, digits = 0) => {
    const scale = 10 ** digits;
    return Math.round(Number(value ?? 0) * scale) / scale;
  };
  return {
    peakBitsPerSecond: number(row?.peak_bits),
    averageBitsPerSecond: number(row?.average_bits),
    peakPacketsPerSecond: number(row?.peak_packets, 1),
    peakProducers: number(row?.peak_producers),
    peakConsumers: number(row?.peak_consumers),
    peakCpuCores: number(row?.peak_cpu, 2),
    mediaMinutes: number(Number(row?.media_seconds ?? 0) / 60, 1),
    minutesInUse: row?.minutes ?? 0,
    nodes: row?.nodes ?? 0,
  };
}

export function toRecordClass(row: RecordClassSql, now = Date.now()): RecordClass {
  const start = row.started_at ? new Date(row.started_at).getTime() : null;
  const end = row.ended_at ? new Date(row.ended_at).getTime() : now;
  return {
    id: row.id,
    code: row.code,
    title: row.title,
    status: row.status,
    hostName: row.host_name,
    startedAt: isoOrNull(row.started_at),
    endedAt: isoOrNull(row.ended_at),
    durationMinutes: start === null ? 0 : oneDecimal((end - start) / 60000),
  };
}

export function toRecordRow(row: RecordRowSql, quizzes: QuizTotals = NO_QUIZZES): RecordRow {
  const lateMinutes = row.late_seconds === null ? 0 : Math.max(0, Number(row.late_seconds) / 60);
  return {
    userId: row.user_id,
    name: row.name,
    email: row.email,
    role: row.role,
    minutesPresent: oneDecimal(Number(row.seconds) / 60),
    firstJoinAt: iso(row.first_join),
    lastLeaveAt: row.open_sessions > 0 || !row.last_leave ? null : iso(row.last_leave),
    late: lateMinutes > LATE_AFTER_MINUTES,
    minutesLate: oneDecimal(lateMinutes),
    sessions: row.sessions,
    talkSeconds: Math.round(Number(row.talk_ms) / 1000),
    cameraSeconds: Math.round(Number(row.camera_ms) / 1000),
    groupSeconds: Math.round(Number(row.group_seconds)),
    chatMessages: row.chat,
    handsRaised: row.hands,
    pollsAnswered: row.polls_answered,
    pollsAsked: row.polls_asked,
    quizScore: quizzes.scoreOf(row.user_id),
    quizMaxScore: quizzes.maxScore,
  };
}

/**
 * The class record: a class's per-student table, polls and timeline (the host's view, or one
 * student's own line), a person's record across classes, a teacher's classes with their
 * totals, the admin's per-day overview, and one person's data exported or erased.
 */
export class RecordService {
  private readonly repo: RecordRepo;
  private readonly privacy: PrivacyRepo;

  /** `quizzes`: the quiz scores of a class (none when absent). */
  constructor(
    db: DB,
    private readonly quizzes?: QuizScoreSource,
  ) {
    this.repo = new RecordRepo(db);
    this.privacy = new PrivacyRepo(db);
  }

  /** Scores count once a quiz is closed (a student sees theirs then, with the right answers). */
  private async quizTotals(roomId: string): Promise<QuizTotals> {
    if (!this.quizzes) return NO_QUIZZES;
    const all = await this.quizzes.scoresOf(roomId);
    const closed = all.filter((quiz) => quiz.status === "closed");
    const points = new Map<string, number>();
    for (const quiz of closed) for (const entry of quiz.scores) points.set(entry.userId, (points.get(entry.userId) ?? 0) + entry.score);
    return {
      scoreOf: (userId) => points.get(userId) ?? 0,
      maxScore: closed.reduce((total, quiz) => total + quiz.maxScore, 0),
      quizzes: all.map((quiz) => ({
        quizId: quiz.quizId,
        title: quiz.title,
        status: quiz.status,
        maxScore: quiz.maxScore,
        submissions: quiz.scores.length,
        averageScore: quiz.scores.length ? oneDecimal(quiz.scores.reduce((total, entry) => total + entry.score, 0) / quiz.scores.length) : null,
      })),
    };
  }

  private async classOf(roomId: string): Promise<RecordClassSql> {
    const room = await this.repo.classById(roomId);
    if (!room) throw new AppError("ROOM_NOT_FOUND", "No such room");
    return room;
  }

  /** The whole record (`viewerId` undefined: host or admin) or only the viewer's own line and sessions. */
  async classRecord(roomId: string, viewerId?: string): Promise<ClassRecordResponse> {
    const room = await this.classOf(roomId);
    const own = viewerId !== undefined;
    const rows = own ? [await this.repo.personRow(roomId, viewerId)].filter((row) => row !== undefined) : await this.repo.classRows(roomId);
    const polls = own ? [] : await this.repo.polls(roomId);
    const sessions = await this.repo.sessions(roomId, viewerId);
    const quizzes = await this.quizTotals(roomId);
    return {
      view: own ? "student" : "host",
      lateAfterMinutes: LATE_AFTER_MINUTES,
      class: toRecordClass(room),
      rows: rows.map((row) => toRecordRow(row, quizzes)),
      polls: polls.map((poll) => ({
        pollId: poll.id,
        question: poll.question,
        anonymous: poll.anonymous,
        openedAt: isoOrNull(poll.opened_at),
        answers: poll.answers,
      })),
      quizzes: own ? [] : quizzes.quizzes,
      sessions: sessions.map((session) => ({
        userId: session.user_id,
        name: session.name,
        joinedAt: iso(session.joined_at),
        leftAt: isoOrNull(session.left_at),
      })),
    };
  }

  /** One person's own line in every class they attended, oldest class first. */
  async personRecord(userId: string): Promise<MyRecordResponse> {
    const rows = await this.repo.personRows(userId);
    const classes = await this.repo.classesByIds(rows.map((row) => row.room_id));
    const rowByRoom = new Map(rows.map((row) => [row.room_id, row]));
    const result: MyRecordResponse = { classes: [] };
    for (const room of classes) {
      const row = rowByRoom.get(room.id);
      if (row) result.classes.push({ class: toRecordClass(room), row: toRecordRow(row, await this.quizTotals(room.id)) });
    }
    return result;
  }

  /** The teacher's classes that went live, each with its students' totals. */
  async teachingRecord(hostId: string): Promise<TeachingRecordResponse> {
    const classes = await this.repo.hostedClasses(hostId);
    const rows = (await this.repo.hostedRows(hostId)).map((row) => ({ roomId: row.room_id, row: toRecordRow(row) }));
    return {
      classes: classes.map((room) => {
        const own = rows.filter((entry) => entry.roomId === room.id).map((entry) => entry.row);
        const sum = (pick: (row: RecordRow) => number) => own.reduce((total, row) => total + pick(row), 0);
        return {
          class: toRecordClass(room),
          students: own.length,
          lateArrivals: own.filter((row) => row.late).length,
          averageMinutesPresent: own.length ? oneDecimal(sum((row) => row.minutesPresent) / own.length) : 0,
          talkSeconds: sum((row) => row.talkSeconds),
          chatMessages: sum((row) => row.chatMessages),
          handsRaised: sum((row) => row.handsRaised),
          pollAnswers: sum((row) => row.pollsAnswered),
          pollsAsked: own[0]?.pollsAsked ?? 0,
        };
      }),
    };
  }

  /** The last `days` UTC days, today included. */
  async overview(days: number, now = new Date()): Promise<AdminOverviewResponse> {
    const to = now.toISOString().slice(0, 10);
    const from = new Date(now.getTime() - (days - 1) * DAY_MS).toISOString().slice(0, 10);
    const load = await this.repo.mediaLoad(from, to);
    const loadOf = new Map(load.map((row) => [row.day, row]));
    const rows = (await this.repo.overview(from, to)).map((row) => ({
      day: row.day,
      classesHeld: row.classes,
      hoursTaught: Math.round((Number(row.seconds) / 3600) * 100) / 100,
      peakParticipants: Number(row.peak),
      recordings: row.recordings,
      recordingBytes: Number(row.bytes),
      media: toMediaLoad(loadOf.get(row.day)),
    }));
    const stored = await this.repo.recordingsStored();
    return {
      from,
      to,
      days: rows,
      totals: {
        classesHeld: rows.reduce((total, row) => total + row.classesHeld, 0),
        hoursTaught: Math.round(rows.reduce((total, row) => total + row.hoursTaught, 0) * 100) / 100,
        peakParticipants: rows.reduce((most, row) => Math.max(most, row.peakParticipants), 0),
        recordings: stored.recordings,
        recordingBytes: Number(stored.bytes),
        media: toMediaLoad(loadOf.get(null)),
      },
    };
  }

  async exportPerson(userId: string): Promise<UserDataExport> {
    const account = await this.privacy.account(userId);
    if (!account) throw new AppError("NOT_FOUND", "No such user");
    const data = await this.privacy.personData(userId);
    return {
      exportedAt: new Date().toISOString(),
      account: {
        id: account.id,
        email: account.email,
        fullName: account.full_name,
        role: account.role,
        disabled: account.disabled,
        emailVerifiedAt: isoOrNull(account.email_verified_at),
        createdAt: iso(account.created_at),
      },
      classesHosted: data.hosted.map((room) => ({ roomId: room.id, code: room.code, title: room.title, createdAt: iso(room.created_at) })),
      attendance: data.attendance.map((row) => ({
        roomId: row.room_id,
        classTitle: row.title,
        role: row.room_role,
        joinedAt: iso(row.joined_at),
        leftAt: isoOrNull(row.left_at),
        talkMs: Number(row.talk_ms),
        cameraMs: Number(row.camera_ms),
        handsRaised: row.hands_raised,
      })),
      chatMessages: data.chat.map((message) => ({
        roomId: message.room_id,
        classTitle: message.title,
        seq: message.seq,
        text: message.text,
        sentAt: iso(message.created_at),
        deletedAt: isoOrNull(message.deleted_at),
      })),
      pollAnswers: data.answers.map((answer) => ({
        pollId: answer.poll_id,
        roomId: answer.room_id,
        question: answer.question,
        choices: answer.choices,
        text: answer.text,
        answeredAt: iso(answer.updated_at),
      })),
      quizSubmissions: data.quizzes.map((submission) => ({
        quizId: submission.quiz_id,
        roomId: submission.room_id,
        title: submission.title,
        answers: submission.answers,
        score: submission.score,
        submittedAt: iso(submission.updated_at),
      })),
    };
  }

  async erasePerson(userId: string): Promise<UserDataErasure> {
    if (!(await this.privacy.account(userId))) throw new AppError("NOT_FOUND", "No such user");
    const erased = await this.privacy.erase(userId);
    return { attendanceSessions: erased.attendance, chatMessages: erased.chat, pollAnswers: erased.answers, quizSubmissions: erased.quizzes };
  }
}

type Column = [string, (row: RecordRow, tz: string) => unknown];
/** The headers are the words of the Class record page (apps/web/src/record). */
export const RECORD_CSV_COLUMNS: Column[] = [
  ["Name", (row) => row.name],
  ["Email", (row) => row.email],
  ["Role", (row) => ROOM_ROLE_LABELS[row.role]],
  ["Minutes present", (row) => row.minutesPresent.toFixed(1)],
  ["First joined", (row, tz) => isoInZone(row.firstJoinAt, tz)],
  ["Last left", (row, tz) => (row.lastLeaveAt ? isoInZone(row.lastLeaveAt, tz) : "still in class")],
  [`Late (over ${LATE_AFTER_MINUTES} min)`, (row) => (row.late ? `yes, ${row.minutesLate.toFixed(1)} min` : "no")],
  ["Sessions", (row) => row.sessions],
  ["Talk time (s)", (row) => row.talkSeconds],
  ["Camera on (s)", (row) => row.cameraSeconds],
  ["In groups (s)", (row) => row.groupSeconds],
  ["Chat messages", (row) => row.chatMessages],
  ["Hands raised", (row) => row.handsRaised],
  ["Polls answered", (row) => `${row.pollsAnswered} of ${row.pollsAsked}`],
  ["Quiz score", (row) => `${row.quizScore} of ${row.quizMaxScore}`],
];

/** RFC 4180 CSV like the attendance CSV: times with their offset, formula-like cells quoted with '. */
export function toRecordCsv(rows: RecordRow[], timeZone = "UTC"): string {
  const cell = (value: unknown) => {
    let text = value === null || value === undefined ? "" : String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [
    RECORD_CSV_COLUMNS.map(([header]) => cell(header)).join(","),
    ...rows.map((row) => RECORD_CSV_COLUMNS.map(([, get]) => cell(get(row, timeZone))).join(",")),
  ];
  return `${lines.join("\r\n")}\r\n`;
}

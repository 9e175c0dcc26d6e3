import { ROOM_ROLE_LABELS, type AttendanceEntry } from "@vtp/protocol";
import type { DB } from "../db/index.js";
import type { RoomRoleColumn } from "../rooms/tables.js";
import { AttendanceRepo } from "./repo.js";

/** Every join and leave of a room, and the per-person report (JSON and CSV). */
export class AttendanceService {
  private readonly repo: AttendanceRepo;

  /** `nodeId`: this server process, written on every session it opens (see AttendanceNode). */
  constructor(
    db: DB,
    private readonly nodeId: string | null = null,
  ) {
    this.repo = new AttendanceRepo(db);
  }

  /** A new stay in the room, under the session id the caller chose (to close it later). */
  joined(sessionId: string, roomId: string, userId: string, role: RoomRoleColumn, at = new Date()): Promise<void> {
    return this.repo.openWithId(sessionId, roomId, userId, role, at, this.nodeId);
  }

  left(sessionId: string, at = new Date()): Promise<void> {
    return this.repo.close(sessionId, at);
  }

  roleChanged(sessionId: string, role: RoomRoleColumn): Promise<void> {
    return this.repo.setRole(sessionId, role);
  }

  /** A hand raised during this session (counted in `attendance.hands_raised` for the class record). */
  handRaised(sessionId: string): Promise<void> {
    return this.repo.countHand(sessionId);
  }

  closeRoom(roomId: string, at = new Date()): Promise<void> {
    return this.repo.closeAllOpen(roomId, at);
  }

  hasJoined(roomId: string, userId: string): Promise<boolean> {
    return this.repo.hasJoined(roomId, userId);
  }

  async report(roomId: string): Promise<AttendanceEntry[]> {
    const rows = await this.repo.report(roomId);
    return rows.map((row) => ({
      userId: row.user_id,
      name: row.name,
      email: row.email,
      role: row.role,
      firstJoinAt: new Date(row.first_join).toISOString(),
      lastLeaveAt: row.open_sessions > 0 || !row.last_leave ? null : new Date(row.last_leave).toISOString(),
      totalMinutes: Math.round((Number(row.seconds) / 60) * 10) / 10,
      joins: row.joins,
      present: row.open_sessions > 0,
    }));
  }

  /** The report as CSV, times in `timeZone` (an IANA name, checked with isTimeZone) with their UTC offset. */
  async csv(roomId: string, timeZone = "UTC"): Promise<string> {
    return toCsv(await this.report(roomId), timeZone);
  }
}

/** True for a time zone this runtime's Intl knows (e.g. "Europe/Paris", "UTC"). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** 2026-11-30T19:44:30+01:00: the wall-clock time in `timeZone`, with its offset from UTC. */
export function isoInZone(iso: string, timeZone: string): string {
  const date = new Date(iso);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  const offsetMin = Math.round((wall - Math.floor(date.getTime() / 1000) * 1000) / 60000);
  const sign = offsetMin < 0 ? "-" : "+";
  const abs = Math.abs(offsetMin);
  const off = `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${off}`;
}

type Column = [string, (entry: AttendanceEntry, tz: string) => unknown];
const COLUMNS: Column[] = [
  ["Name", (entry) => entry.name],
  ["Email", (entry) => entry.email],
  ["Role", (entry) => ROOM_ROLE_LABELS[entry.role]],
  ["First joined", (entry, tz) => isoInZone(entry.firstJoinAt, tz)],
  ["Last left", (entry, tz) => (entry.lastLeaveAt ? isoInZone(entry.lastLeaveAt, tz) : entry.present ? "still in class" : "")],
  ["Duration (minutes)", (entry) => entry.totalMinutes.toFixed(1)],
  ["Joins", (entry) => entry.joins],
];

/**
 * RFC 4180 CSV with the words of the class details page (Teacher, Speaker, Student) and
 * times in `timeZone` with their offset; cells a spreadsheet would run as a formula get a quote.
 */
export function toCsv(entries: AttendanceEntry[], timeZone = "UTC"): string {
  const cell = (value: unknown) => {
    let text = value === null || value === undefined ? "" : String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [COLUMNS.map(([h]) => h).join(","), ...entries.map((e) => COLUMNS.map(([, get]) => cell(get(e, timeZone))).join(","))];
  return `${lines.join("\r\n")}\r\n`;
}

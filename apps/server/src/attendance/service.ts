import type { AttendanceEntry } from "@vtp/protocol";
import type { DB } from "../db/index.js";
import type { RoomRoleColumn } from "../rooms/tables.js";
import { AttendanceRepo } from "./repo.js";

/** Every join and leave of a room, and the per-person report (JSON and CSV). */
export class AttendanceService {
  readonly repo: AttendanceRepo;

  constructor(db: DB) {
    this.repo = new AttendanceRepo(db);
  }

  /** A new stay in the room; returns the session id to close later. */
  joined(roomId: string, userId: string, role: RoomRoleColumn, at = new Date()): Promise<string> {
    return this.repo.open(roomId, userId, role, at);
  }

  left(sessionId: string, at = new Date()): Promise<void> {
    return this.repo.close(sessionId, at);
  }

  roleChanged(sessionId: string, role: RoomRoleColumn): Promise<void> {
    return this.repo.setRole(sessionId, role);
  }

  closeRoom(roomId: string, at = new Date()): Promise<void> {
    return this.repo.closeAllOpen(roomId, at);
  }

  hasJoined(roomId: string, userId: string): Promise<boolean> {
    return this.repo.hasJoined(roomId, userId);
  }

  async report(roomId: string): Promise<AttendanceEntry[]> {
    const rows = await this.repo.report(roomId);
    return rows.map((r) => ({
      userId: r.user_id,
      name: r.name,
      email: r.email,
      role: r.role,
      firstJoinAt: new Date(r.first_join).toISOString(),
      lastLeaveAt: r.open_sessions > 0 || !r.last_leave ? null : new Date(r.last_leave).toISOString(),
      totalMinutes: Math.round((Number(r.seconds) / 60) * 10) / 10,
      joins: r.joins,
      present: r.open_sessions > 0,
    }));
  }

  async csv(roomId: string): Promise<string> {
    return toCsv(await this.report(roomId));
  }
}

const COLUMNS: [keyof AttendanceEntry, string][] = [
  ["name", "Name"],
  ["email", "Email"],
  ["role", "Role"],
  ["firstJoinAt", "First join"],
  ["lastLeaveAt", "Last leave"],
  ["totalMinutes", "Total minutes"],
  ["joins", "Joins"],
];

/** RFC 4180 CSV; cells that a spreadsheet would run as a formula are prefixed with a quote. */
export function toCsv(entries: AttendanceEntry[]): string {
  const cell = (v: unknown) => {
    let s = v === null || v === undefined ? "" : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [COLUMNS.map(([, h]) => h).join(","), ...entries.map((e) => COLUMNS.map(([k]) => cell(e[k])).join(","))];
  return lines.join("\r\n") + "\r\n";
}

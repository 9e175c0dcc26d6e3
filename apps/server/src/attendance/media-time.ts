import { sql } from "kysely";
import type { Logger } from "pino";
import type { DB } from "../db/index.js";

/** How often buffered talk and camera time is written (ms). */
export const MEDIA_TIME_FLUSH_MS = 5000;

/** Talk time and camera-on time added to attendance sessions (implemented by `MediaTimeLog`). */
export interface MediaTimeSink {
  /** Adds to the session's `talk_ms` / `camera_ms` (buffered; written within a flush interval). */
  add(attendanceId: string, amounts: { talkMs?: number; cameraMs?: number }): void;
  /** Writes what is buffered now. */
  flush(): Promise<void>;
  /** Writes what is buffered and stops writing on its own. */
  close(): Promise<void>;
}

/**
 * Buffers talk and camera time per attendance session and adds it to the rows in one statement
 * every `MEDIA_TIME_FLUSH_MS` (and on `flush`/`close`): the media layer reports every few
 * seconds per peer, the database sees one write per flush whatever the class size. A session
 * already closed (left_at set) still gets its last amounts: they arrive after the leave.
 */
export class MediaTimeLog implements MediaTimeSink {
  private pending = new Map<string, { talkMs: number; cameraMs: number }>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: DB,
    private readonly log: Pick<Logger, "warn">,
    flushMs = MEDIA_TIME_FLUSH_MS,
  ) {
    this.timer = setInterval(() => void this.flush(), flushMs);
    this.timer.unref();
  }

  add(attendanceId: string, amounts: { talkMs?: number; cameraMs?: number }): void {
    const talkMs = Math.max(0, Math.round(amounts.talkMs ?? 0));
    const cameraMs = Math.max(0, Math.round(amounts.cameraMs ?? 0));
    if (talkMs === 0 && cameraMs === 0) return;
    const entry = this.pending.get(attendanceId);
    if (entry) {
      entry.talkMs += talkMs;
      entry.cameraMs += cameraMs;
    } else this.pending.set(attendanceId, { talkMs, cameraMs });
  }

  /** One UPDATE for every buffered session; flushes run one after the other. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const rows = [...batch].map(([id, amounts]) => sql`(${id}::uuid, ${amounts.talkMs}::bigint, ${amounts.cameraMs}::bigint)`);
    try {
      await sql`update attendance a set talk_ms = a.talk_ms + v.talk_ms, camera_ms = a.camera_ms + v.camera_ms
        from (values ${sql.join(rows)}) as v(id, talk_ms, camera_ms) where a.id = v.id`.execute(this.db);
    } catch (err) {
      // Put the amounts back: the next flush tries again.
      for (const [id, amounts] of batch) this.add(id, amounts);
      this.log.warn({ err, sessions: batch.size }, "talk and camera time not written; retrying at the next flush");
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}

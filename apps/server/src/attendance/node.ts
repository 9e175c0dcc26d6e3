import type { Logger } from "pino";
import type { DB } from "../db/index.js";
import { AttendanceNodeRepo } from "./node-repo.js";

export const ATTENDANCE_HEARTBEAT_MS = 15_000;

/**
 * This server process's heartbeat in the database, and the closing of attendance sessions that
 * a dead process left open. Each session row carries the id of the process that opened it;
 * every process renews `server_nodes.last_seen_at` every 15 s (and once more on a clean stop).
 * A session of a process that is gone is closed at that process's last heartbeat: the last
 * moment it is known to have been alive, so at most 15 s are lost and none are invented.
 *
 * Which processes are gone: without shared live state (no Redis, a single app server) every
 * other process is, as soon as this one starts (it replaced the previous one). With Redis the
 * live state's own dead-node handling ends those stays through the grace period (a person may
 * resume on another node); the database only closes sessions of processes silent for
 * `staleAfterMs` (default 10 minutes), for when Redis lost them too.
 */
export class AttendanceNode {
  private readonly repo: AttendanceNodeRepo;
  private timer?: NodeJS.Timeout;
  private beating?: Promise<void>;

  constructor(
    db: DB,
    readonly nodeId: string,
    private readonly opts: { log: Logger; sharedLiveState: boolean; heartbeatMs?: number; staleAfterMs?: number },
  ) {
    this.repo = new AttendanceNodeRepo(db);
  }

  /** First heartbeat and the sweep of dead processes' sessions; then every heartbeat interval. Database trouble is logged, never thrown. */
  async start(): Promise<void> {
    await this.tick(true);
    this.timer = setInterval(() => void this.tick(false), this.opts.heartbeatMs ?? ATTENDANCE_HEARTBEAT_MS);
    this.timer.unref();
  }

  private tick(first: boolean): Promise<void> {
    if (this.beating) return this.beating;
    const run = async () => {
      try {
        await this.repo.beat(this.nodeId);
        const allOthers = !this.opts.sharedLiveState && first;
        if (!allOthers && !this.opts.sharedLiveState) return;
        const closed = await this.repo.closeSessionsOfDeadNodes(this.nodeId, { allOthers, staleAfterMs: this.opts.staleAfterMs ?? 600_000 });
        if (closed > 0) this.opts.log.info({ closed }, "closed attendance sessions left open by a server process that stopped without closing them");
      } catch (err) {
        this.opts.log.warn({ err }, "attendance heartbeat failed");
      }
    };
    this.beating = run().finally(() => (this.beating = undefined));
    return this.beating;
  }

  /** A clean stop: the last heartbeat, so sessions still open close at this moment on the next start. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.beating;
    await this.repo.beat(this.nodeId).catch(() => {});
  }
}

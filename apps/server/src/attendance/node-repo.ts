import { sql } from "kysely";
import type { DB } from "../db/index.js";

/** SQL for server processes' heartbeats and the attendance sessions they hold (migration 006). */
export class AttendanceNodeRepo {
  constructor(private readonly db: DB) {}

  /** This process is alive now (inserted on its first beat). */
  async beat(nodeId: string): Promise<void> {
    await sql`insert into server_nodes (id) values (${nodeId})
      on conflict (id) do update set last_seen_at = now()`.execute(this.db);
  }

  /**
   * Closes the open sessions of other processes, each at its last heartbeat (never before the
   * session began), and forgets those processes: all other processes when `allOthers`, else
   * those silent for `staleAfterMs`. With `allOthers`, sessions with no known process (rows
   * from before the heartbeats) are closed now. Returns how many sessions were closed.
   */
  async closeSessionsOfDeadNodes(nodeId: string, opts: { allOthers: boolean; staleAfterMs: number }): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      const staleSeconds = opts.staleAfterMs / 1000;
      const dead = sql`n.id <> ${nodeId} and (${opts.allOthers} or n.last_seen_at < now() - make_interval(secs => ${staleSeconds}))`;
      const closed = await sql`update attendance a set left_at = greatest(a.joined_at, n.last_seen_at)
        from server_nodes n
        where a.node_id = n.id and a.left_at is null and ${dead}`.execute(tx);
      let count = Number(closed.numAffectedRows ?? 0);
      if (opts.allOthers) {
        const orphans = await sql`update attendance set left_at = greatest(joined_at, now())
          where left_at is null and (node_id is null or (node_id <> ${nodeId} and node_id not in (select id from server_nodes)))`.execute(tx);
        count += Number(orphans.numAffectedRows ?? 0);
      }
      await sql`delete from server_nodes n where ${dead}`.execute(tx);
      return count;
    });
  }
}

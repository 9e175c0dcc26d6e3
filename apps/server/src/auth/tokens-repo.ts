import { sql } from "kysely";
import type { DB } from "../db/index.js";

export type EmailTokenPurpose = "verify_email" | "reset_password";

/** SQL for one-time email tokens, refresh-token families and login failure counters. */
export class TokensRepo {
  constructor(private readonly db: DB) {}

  async createEmailToken(userId: string, purpose: EmailTokenPurpose, tokenHash: string, expiresAt: Date) {
    await this.db.insertInto("email_tokens").values({ user_id: userId, purpose, token_hash: tokenHash, expires_at: expiresAt }).execute();
  }

  /**
   * Marks a one-time token used, atomically: only the first caller gets the row back.
   * Returns why it failed otherwise.
   */
  async consumeEmailToken(purpose: EmailTokenPurpose, tokenHash: string): Promise<{ userId: string } | "invalid" | "expired"> {
    const used = await this.db
      .updateTable("email_tokens")
      .set({ used_at: sql`now()` })
      .where("token_hash", "=", tokenHash)
      .where("purpose", "=", purpose)
      .where("used_at", "is", null)
      .where("expires_at", ">", sql<Date>`now()`)
      .returning("user_id")
      .executeTakeFirst();
    if (used) return { userId: used.user_id };
    const row = await this.db
      .selectFrom("email_tokens")
      .select(["used_at", "expires_at"])
      .where("token_hash", "=", tokenHash)
      .where("purpose", "=", purpose)
      .executeTakeFirst();
    if (row && !row.used_at && new Date(row.expires_at) <= new Date()) return "expired";
    return "invalid";
  }

  async invalidateEmailTokens(userId: string, purpose: EmailTokenPurpose) {
    await this.db
      .updateTable("email_tokens")
      .set({ used_at: sql`now()` })
      .where("user_id", "=", userId)
      .where("purpose", "=", purpose)
      .where("used_at", "is", null)
      .execute();
  }

  async createRefresh(userId: string, familyId: string, tokenHash: string, expiresAt: Date) {
    await this.db.insertInto("refresh_tokens").values({ user_id: userId, family_id: familyId, token_hash: tokenHash, expires_at: expiresAt }).execute();
  }

  findRefresh(tokenHash: string) {
    return this.db.selectFrom("refresh_tokens").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
  }

  /** Rotates atomically: true only for the one request that rotated it. */
  async markRotated(id: string): Promise<boolean> {
    const result = await this.db
      .updateTable("refresh_tokens")
      .set({ rotated_at: sql`now()` })
      .where("id", "=", id)
      .where("rotated_at", "is", null)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Whether refresh token `id` was rotated less than `graceSeconds` ago and is its family's
   * newest rotation (the immediate predecessor of the family's live token), and the family is
   * not revoked: a second, simultaneous refresh rather than a replay.
   */
  async withinRotationGrace(id: string, graceSeconds: number): Promise<boolean> {
    if (graceSeconds <= 0) return false;
    const result = await sql<{ ok: number }>`
      select 1 as ok from refresh_tokens r
      where r.id = ${id}
        and r.revoked_at is null
        and r.expires_at > now()
        and r.rotated_at > now() - make_interval(secs => ${graceSeconds})
        and not exists (select 1 from refresh_tokens o where o.family_id = r.family_id and o.rotated_at > r.rotated_at)
    `.execute(this.db);
    return result.rows.length === 1;
  }

  async revokeFamily(familyId: string) {
    await this.db.updateTable("refresh_tokens").set({ revoked_at: sql`now()` }).where("family_id", "=", familyId).where("revoked_at", "is", null).execute();
  }

  async revokeAllForUser(userId: string, exceptFamily?: string) {
    let query = this.db.updateTable("refresh_tokens").set({ revoked_at: sql`now()` }).where("user_id", "=", userId).where("revoked_at", "is", null);
    if (exceptFamily) query = query.where("family_id", "!=", exceptFamily);
    await query.execute();
  }

  async countActiveRefresh(userId: string): Promise<number> {
    const result = await this.db
      .selectFrom("refresh_tokens")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("user_id", "=", userId)
      .where("revoked_at", "is", null)
      .where("rotated_at", "is", null)
      .executeTakeFirstOrThrow();
    return Number(result.n);
  }

  // --- login throttling -------------------------------------------------------------

  async lockedUntil(keys: string[]): Promise<Date | undefined> {
    if (!keys.length) return undefined;
    const rows = await this.db
      .selectFrom("login_failures")
      .select("locked_until")
      .where("key", "in", keys)
      .where("locked_until", ">", sql<Date>`now()`)
      .execute();
    const times = rows.flatMap((r) => (r.locked_until ? [new Date(r.locked_until).getTime()] : []));
    return times.length ? new Date(Math.max(...times)) : undefined;
  }

  /** Counts one failure for the key within a window; locks the key once it reaches `max`. */
  async recordFailure(key: string, max: number, windowSeconds: number, lockSeconds: number) {
    await sql`
      insert into login_failures (key, failures, window_start)
      values (${key}, 1, now())
      on conflict (key) do update set
        failures = case when login_failures.window_start < now() - make_interval(secs => ${windowSeconds}) then 1 else login_failures.failures + 1 end,
        window_start = case when login_failures.window_start < now() - make_interval(secs => ${windowSeconds}) then now() else login_failures.window_start end,
        locked_until = case
          when login_failures.window_start >= now() - make_interval(secs => ${windowSeconds}) and login_failures.failures + 1 >= ${max}
          then now() + make_interval(secs => ${lockSeconds})
          else login_failures.locked_until end
    `.execute(this.db);
  }

  async clearFailures(key: string) {
    await this.db.deleteFrom("login_failures").where("key", "=", key).execute();
  }
}

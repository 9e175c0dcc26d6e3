import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { sql } from "kysely";
import type { DB } from "../db/index.js";

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

export interface LiveLinkRow {
  id: string;
  room_id: string;
  created_at: Date;
  revoked_at: Date | null;
}

/**
 * Stream links (table live_links, migration 014): a random token handed out once, only its
 * SHA-256 stored. A lookup that found a live link is remembered for 2 s (every segment request
 * of every viewer checks its link), so a revocation takes effect within 2 s.
 */
export class LiveLinks {
  private readonly cache = new Map<string, { roomId: string; until: number }>();

  constructor(private readonly db: DB) {}

  async create(roomId: string, createdBy: string): Promise<{ link: LiveLinkRow; token: string }> {
    const token = randomBytes(24).toString("base64url");
    const { rows } = await sql<LiveLinkRow>`insert into live_links (room_id, token_hash, created_by) values (${roomId}, ${hashToken(token)}, ${createdBy})
      returning id, room_id, created_at, revoked_at`.execute(this.db);
    return { link: rows[0] as LiveLinkRow, token };
  }

  async list(roomId: string): Promise<LiveLinkRow[]> {
    const { rows } = await sql<LiveLinkRow>`select id, room_id, created_at, revoked_at from live_links where room_id = ${roomId} order by created_at`.execute(
      this.db,
    );
    return rows;
  }

  /** Revokes one link of the room; false when there is no such live link. */
  async revoke(roomId: string, linkId: string): Promise<boolean> {
    const result = await sql`update live_links set revoked_at = now() where id = ${linkId} and room_id = ${roomId} and revoked_at is null`.execute(this.db);
    this.cache.clear();
    return Number(result.numAffectedRows ?? 0) > 0;
  }

  /** The room a live (unrevoked) link's token opens, if any. */
  async roomOf(token: string): Promise<string | undefined> {
    const hash = hashToken(token);
    const cached = this.cache.get(hash);
    if (cached && cached.until > Date.now()) return cached.roomId;
    const { rows } = await sql<{ room_id: string }>`select room_id from live_links where token_hash = ${hash} and revoked_at is null`.execute(this.db);
    const roomId = rows[0]?.room_id;
    if (roomId) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(hash, { roomId, until: Date.now() + 2000 });
    }
    return roomId;
  }
}

/** Signed playback keys for class members (`roomId.expiry.signature`), checked without the database. */
export class MemberKeys {
  constructor(private readonly secret: string) {}

  private sign(payload: string): string {
    return createHmac("sha256", this.secret).update(payload).digest("base64url");
  }

  issue(roomId: string, ttlSeconds = 6 * 3600): string {
    const payload = `${roomId}.${Math.floor(Date.now() / 1000) + ttlSeconds}`;
    return `${payload}.${this.sign(payload)}`;
  }

  /** The room a key opens, unless it is forged or expired. */
  roomOf(key: string): string | undefined {
    const match = /^([0-9a-f-]{36})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/i.exec(key);
    if (!match) return undefined;
    const [, roomId, expiry, signature] = match as unknown as [string, string, string, string];
    const expected = Buffer.from(this.sign(`${roomId}.${expiry}`));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    return Number(expiry) * 1000 > Date.now() ? roomId : undefined;
  }
}

import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { BreakoutGroupRecordDto, BreakoutMessageDto } from "@vtp/protocol";
import type { DB } from "../db/index.js";

interface MessageRow {
  id: string;
  group_id: string;
  seq: number;
  user_id: string | null;
  author_name: string;
  text: string;
  created_at: Date;
}

interface GroupRow {
  id: string;
  session_id: string;
  name: string;
  opened_at: Date;
  closed_at: Date | null;
  member_names: string[];
}

const toMessage = (row: MessageRow): BreakoutMessageDto => ({
  id: row.id,
  groupId: row.group_id,
  seq: Number(row.seq),
  userId: row.user_id,
  authorName: row.author_name,
  text: row.text,
  createdAt: new Date(row.created_at).toISOString(),
});

/** What is kept of the groups (migration 013): groups, their chat, people's stays. All SQL of breakout is here. */
export class BreakoutRepo {
  constructor(private readonly db: DB) {}

  async groupsOpened(roomId: string, sessionId: string, openedAt: Date, groups: { id: string; name: string; materialId: string | null }[]) {
    for (const [position, group] of groups.entries()) {
      await sql`insert into breakout_groups (id, room_id, session_id, position, name, material_id, opened_at)
        values (${group.id}, ${roomId}, ${sessionId}, ${position}, ${group.name}, ${group.materialId}, ${openedAt})`.execute(this.db);
    }
  }

  async groupsClosed(sessionId: string, closedAt: Date, memberNames: Map<string, string[]>) {
    for (const [groupId, names] of memberNames) {
      await sql`update breakout_groups set closed_at = ${closedAt}, member_names = ${names}
        where id = ${groupId} and session_id = ${sessionId}`.execute(this.db);
    }
    await sql`update breakout_stays set left_at = ${closedAt}
      where left_at is null and group_id in (select id from breakout_groups where session_id = ${sessionId})`.execute(this.db);
  }

  /** The next message of the group, numbered under the group row's lock. */
  async addMessage(groupId: string, author: { userId: string; name: string }, text: string): Promise<BreakoutMessageDto> {
    return this.db.transaction().execute(async (tx) => {
      const counted = await sql<{ message_count: number }>`update breakout_groups set message_count = message_count + 1
        where id = ${groupId} returning message_count`.execute(tx);
      const seq = counted.rows[0]?.message_count;
      if (seq === undefined) throw new Error(`breakout group ${groupId} is not stored`);
      const inserted = await sql<MessageRow>`insert into breakout_messages (id, group_id, seq, user_id, author_name, text)
        values (${randomUUID()}, ${groupId}, ${seq}, ${author.userId}, ${author.name}, ${text})
        returning id, group_id, seq, user_id, author_name, text, created_at`.execute(tx);
      const row = inserted.rows[0];
      if (!row) throw new Error("breakout message not stored");
      return toMessage(row);
    });
  }

  async messages(groupId: string): Promise<BreakoutMessageDto[]> {
    const result = await sql<MessageRow>`select id, group_id, seq, user_id, author_name, text, created_at
      from breakout_messages where group_id = ${groupId} order by seq`.execute(this.db);
    return result.rows.map(toMessage);
  }

  /** Every kept group of the class, oldest opening first, with its chat. */
  async history(roomId: string, groupId?: string): Promise<BreakoutGroupRecordDto[]> {
    const groups = await sql<GroupRow>`select id, session_id, name, opened_at, closed_at, member_names from breakout_groups
      where room_id = ${roomId} and (${groupId ?? null}::uuid is null or id = ${groupId ?? null}::uuid)
      order by opened_at, position`.execute(this.db);
    const out: BreakoutGroupRecordDto[] = [];
    for (const group of groups.rows) {
      out.push({
        sessionId: group.session_id,
        groupId: group.id,
        name: group.name,
        openedAt: new Date(group.opened_at).toISOString(),
        closedAt: group.closed_at ? new Date(group.closed_at).toISOString() : null,
        memberNames: group.member_names ?? [],
        messages: await this.messages(group.id),
      });
    }
    return out;
  }

  /** A person enters a group (closing their stay in another one). */
  async entered(groupId: string, userId: string, at: Date) {
    await this.left(userId, at);
    await sql`insert into breakout_stays (id, group_id, user_id, entered_at) values (${randomUUID()}, ${groupId}, ${userId}, ${at})`.execute(this.db);
  }

  async left(userId: string, at: Date) {
    await sql`update breakout_stays set left_at = ${at} where user_id = ${userId} and left_at is null`.execute(this.db);
  }

  /** Seconds each person spent in groups of the class (for the class record). */
  async secondsInGroups(roomId: string): Promise<Map<string, number>> {
    const result = await sql<{ user_id: string; seconds: number }>`select s.user_id,
        sum(extract(epoch from coalesce(s.left_at, now()) - s.entered_at))::float8 as seconds
      from breakout_stays s join breakout_groups g on g.id = s.group_id
      where g.room_id = ${roomId} and s.user_id is not null group by s.user_id`.execute(this.db);
    return new Map(result.rows.map((row) => [row.user_id, Number(row.seconds)]));
  }
}

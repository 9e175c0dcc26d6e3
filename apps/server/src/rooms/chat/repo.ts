import { sql, type Selectable } from "kysely";
import type { DB } from "../../db/index.js";
import type { ChatMessagesTable } from "../tables.js";

export type ChatRow = Selectable<ChatMessagesTable>;

/** SQL for chat_messages. The per-room sequence lives in rooms.chat_seq. */
export class ChatRepo {
  constructor(private readonly db: DB) {}

  /** Takes the room's next sequence number and stores the message, in one statement. */
  async insert(roomId: string, userId: string, authorName: string, text: string): Promise<ChatRow> {
    const result = await sql<ChatRow>`
      with s as (update rooms set chat_seq = chat_seq + 1 where id = ${roomId} returning chat_seq)
      insert into chat_messages (room_id, seq, user_id, author_name, text)
      select ${roomId}, s.chat_seq, ${userId}, ${authorName}, ${text} from s
      returning *`.execute(this.db);
    if (!result.rows[0]) throw new Error("room vanished while sending a message");
    return result.rows[0];
  }

  /**
   * Stores several messages of one room in one statement: the room's sequence moves by their
   * number once, and they get consecutive numbers in the given order. Rows in that order.
   */
  async insertMany(roomId: string, messages: readonly { userId: string; authorName: string; text: string }[]): Promise<ChatRow[]> {
    const count = messages.length;
    const values = sql.join(messages.map((m, i) => sql`(${i + 1}::int, ${m.userId}::uuid, ${m.authorName}::text, ${m.text}::text)`));
    const result = await sql<ChatRow>`
      with s as (update rooms set chat_seq = chat_seq + ${count}::int where id = ${roomId} returning chat_seq),
      m (ord, user_id, author_name, text) as (values ${values})
      insert into chat_messages (room_id, seq, user_id, author_name, text)
      select ${roomId}, s.chat_seq - ${count}::int + m.ord, m.user_id, m.author_name, m.text from s, m
      returning *`.execute(this.db);
    if (result.rows.length !== count) throw new Error("room vanished while sending a message");
    return [...result.rows].sort((a, b) => a.seq - b.seq);
  }

  async after(roomId: string, afterSeq: number, limit: number): Promise<ChatRow[]> {
    return this.db.selectFrom("chat_messages").selectAll().where("room_id", "=", roomId).where("seq", ">", afterSeq).orderBy("seq").limit(limit).execute();
  }

  /** The newest `n`, oldest first. */
  async latest(roomId: string, count: number): Promise<ChatRow[]> {
    const rows = await this.db.selectFrom("chat_messages").selectAll().where("room_id", "=", roomId).orderBy("seq", "desc").limit(count).execute();
    return rows.reverse();
  }

  async byId(roomId: string, id: string): Promise<ChatRow | undefined> {
    return this.db.selectFrom("chat_messages").selectAll().where("room_id", "=", roomId).where("id", "=", id).executeTakeFirst();
  }

  /** Keeps the row, blanks nothing in the database (moderation history), marks it deleted. */
  async markDeleted(id: string, by: string): Promise<void> {
    await this.db.updateTable("chat_messages").set({ deleted_at: sql`now()`, deleted_by: by }).where("id", "=", id).where("deleted_at", "is", null).execute();
  }

  async count(roomId: string): Promise<number> {
    const rows = await this.db
      .selectFrom("chat_messages")
      .select(sql<number>`count(*)::int`.as("n"))
      .where("room_id", "=", roomId)
      .where("deleted_at", "is", null)
      .executeTakeFirstOrThrow();
    return rows.n;
  }
}

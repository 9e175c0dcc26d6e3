import { sql, type Transaction } from "kysely";
import type { Database } from "../db/index.js";

/**
 * One person's erasure in the kept breakout groups (called inside the record's erasure transaction):
 * their group messages emptied under "Deleted user" (each group's seq stays whole), their name out of
 * the groups' member lists, their stays deleted, their name off their drawings on the groups' boards. Returns the messages emptied.
 */
export async function eraseFromBreakoutGroups(trx: Transaction<Database>, userId: string): Promise<number> {
  await sql`update breakout_groups g set member_names = array_replace(g.member_names, u.full_name, 'Deleted user')
    from users u where u.id = ${userId}
      and (exists (select 1 from breakout_stays s where s.group_id = g.id and s.user_id = ${userId})
        or exists (select 1 from breakout_messages m where m.group_id = g.id and m.user_id = ${userId}))`.execute(trx);
  const messages = await sql`update breakout_messages set text = '', author_name = 'Deleted user', user_id = null
    where user_id = ${userId}`.execute(trx);
  await sql`delete from breakout_stays where user_id = ${userId}`.execute(trx);
  // Their drawings on the groups' boards stay (the group's work) without their name.
  await sql`update breakout_board_elements
    set element = element || jsonb_build_object('customData', jsonb_build_object('authorName', 'Deleted user')), author_id = null
    where author_id = ${userId}`.execute(trx);
  return Number(messages.numAffectedRows ?? 0);
}

import { sql, type RawBuilder } from "kysely";
import type { DB } from "../db/index.js";
import type { RoomRoleColumn } from "../rooms/tables.js";

/** One person's sessions in one class, summed (the hosts of a class are not in its record). */
export interface RecordRowSql {
  room_id: string;
  user_id: string;
  name: string;
  email: string;
  role: RoomRoleColumn;
  first_join: Date;
  last_leave: Date | null;
  open_sessions: number;
  seconds: number;
  late_seconds: number | null;
  sessions: number;
  talk_ms: number;
  camera_ms: number;
  group_seconds: number;
  hands: number;
  chat: number;
  polls_answered: number;
  polls_asked: number;
}

export interface RecordClassSql {
  id: string;
  code: string;
  title: string;
  status: "scheduled" | "live" | "ended";
  host_id: string;
  host_name: string;
  started_at: Date | null;
  ended_at: Date | null;
}

export interface RecordPollSql {
  id: string;
  question: string;
  anonymous: boolean;
  opened_at: Date | null;
  answers: number;
}

export interface RecordSessionSql {
  user_id: string;
  name: string;
  joined_at: Date;
  left_at: Date | null;
}

export interface OverviewDaySql {
  day: string;
  classes: number;
  seconds: number;
  peak: number;
  recordings: number;
  bytes: number;
}

/** The media load of one UTC day (`day` null: the whole period), from the media_load samples. */
export interface MediaLoadDaySql {
  day: string | null;
  peak_bits: number | null;
  average_bits: number | null;
  peak_packets: number | null;
  peak_producers: number | null;
  peak_consumers: number | null;
  peak_cpu: number | null;
  media_seconds: number | null;
  minutes: number;
  nodes: number;
}

/** SQL of the class record: attendance (with talk, camera, hands), chat and named poll answers, read together. */
export class RecordRepo {
  constructor(private readonly db: DB) {}

  private async rowsWhere(condition: RawBuilder<unknown>): Promise<RecordRowSql[]> {
    const result = await sql<RecordRowSql>`
      select a.room_id, a.user_id, u.full_name as name, u.email,
        (array_agg(a.room_role order by a.joined_at desc))[1] as role,
        min(a.joined_at) as first_join,
        max(a.left_at) as last_leave,
        (count(*) filter (where a.left_at is null))::int as open_sessions,
        coalesce(sum(extract(epoch from (coalesce(a.left_at, now()) - a.joined_at))), 0)::float8 as seconds,
        extract(epoch from (min(a.joined_at) - min(r.started_at)))::float8 as late_seconds,
        count(*)::int as sessions,
        coalesce(sum(a.talk_ms), 0)::float8 as talk_ms,
        coalesce(sum(a.camera_ms), 0)::float8 as camera_ms,
        (select coalesce(sum(extract(epoch from (coalesce(s.left_at, now()) - s.entered_at))), 0) from breakout_stays s
          join breakout_groups g on g.id = s.group_id where g.room_id = a.room_id and s.user_id = a.user_id)::float8 as group_seconds,
        coalesce(sum(a.hands_raised), 0)::int as hands,
        (select count(*) from chat_messages c where c.room_id = a.room_id and c.user_id = a.user_id)::int as chat,
        (select count(*) from poll_answers pa join polls p on p.id = pa.poll_id
          where p.room_id = a.room_id and not p.anonymous and pa.user_id = a.user_id)::int as polls_answered,
        (select count(*) from polls p where p.room_id = a.room_id and not p.anonymous and p.opened_at is not null)::int as polls_asked
      from attendance a
        join users u on u.id = a.user_id
        join rooms r on r.id = a.room_id
      where a.user_id <> r.host_id and ${condition}
      group by a.room_id, a.user_id, u.full_name, u.email
      order by a.room_id, min(a.joined_at), u.full_name`.execute(this.db);
    return result.rows;
  }

  /** Every student's line of one class. */
  classRows(roomId: string): Promise<RecordRowSql[]> {
    return this.rowsWhere(sql`a.room_id = ${roomId}`);
  }

  /** One person's line in one class (none when they never joined it). */
  async personRow(roomId: string, userId: string): Promise<RecordRowSql | undefined> {
    return (await this.rowsWhere(sql`a.room_id = ${roomId} and a.user_id = ${userId}`))[0];
  }

  /** One person's line in every class they attended (and did not host). */
  personRows(userId: string): Promise<RecordRowSql[]> {
    return this.rowsWhere(sql`a.user_id = ${userId}`);
  }

  /** Every student's line of every class this teacher hosts. */
  hostedRows(hostId: string): Promise<RecordRowSql[]> {
    return this.rowsWhere(sql`r.host_id = ${hostId}`);
  }

  private async classesWhere(condition: RawBuilder<unknown>): Promise<RecordClassSql[]> {
    const result = await sql<RecordClassSql>`
      select r.id, r.code, r.title, r.status, r.host_id, h.full_name as host_name, r.started_at, r.ended_at
      from rooms r join users h on h.id = r.host_id
      where ${condition}
      order by r.started_at nulls last, r.created_at`.execute(this.db);
    return result.rows;
  }

  async classById(roomId: string): Promise<RecordClassSql | undefined> {
    return (await this.classesWhere(sql`r.id = ${roomId}`))[0];
  }

  /** The classes of these ids (the ones a person's rows belong to). */
  classesByIds(ids: string[]): Promise<RecordClassSql[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.classesWhere(sql`r.id in (${sql.join(ids)})`);
  }

  /** The classes this teacher hosts that went live. */
  hostedClasses(hostId: string): Promise<RecordClassSql[]> {
    return this.classesWhere(sql`r.host_id = ${hostId} and r.started_at is not null`);
  }

  /** The polls the class was asked (drafts never reached it), with their answer counts. */
  async polls(roomId: string): Promise<RecordPollSql[]> {
    const result = await sql<RecordPollSql>`
      select p.id, p.question, p.anonymous, p.opened_at, count(pa.poll_id)::int as answers
      from polls p left join poll_answers pa on pa.poll_id = p.id
      where p.room_id = ${roomId} and p.opened_at is not null
      group by p.id
      order by p.opened_at, p.created_at`.execute(this.db);
    return result.rows;
  }

  /** Join sessions of a class's students (one person's when `userId` is given), oldest first. */
  async sessions(roomId: string, userId?: string): Promise<RecordSessionSql[]> {
    const result = await sql<RecordSessionSql>`
      select a.user_id, u.full_name as name, a.joined_at, a.left_at
      from attendance a join users u on u.id = a.user_id join rooms r on r.id = a.room_id
      where a.room_id = ${roomId} and a.user_id <> r.host_id ${userId ? sql`and a.user_id = ${userId}` : sql``}
      order by a.joined_at`.execute(this.db);
    return result.rows;
  }

  /**
   * Per UTC day from `from` to `to` (both included): classes that went live, their hours (to
   * their end or now), the most people in classes at once (a running sum over every join and
   * leave), and the recordings started with their stored size.
   */
  async overview(from: string, to: string): Promise<OverviewDaySql[]> {
    const result = await sql<OverviewDaySql>`
      with days as (
        select to_char(d, 'YYYY-MM-DD') as day from generate_series(${from}::date, ${to}::date, interval '1 day') d
      ),
      events as (
        select joined_at as at, 1 as delta from attendance
        union all
        select coalesce(left_at, now()) as at, -1 as delta from attendance
      ),
      running as (
        select at, sum(delta) over (order by at, delta rows unbounded preceding) as inside from events
      ),
      peaks as (
        select to_char(at at time zone 'UTC', 'YYYY-MM-DD') as day, max(inside)::int as peak from running group by 1
      ),
      classes as (
        select to_char(started_at at time zone 'UTC', 'YYYY-MM-DD') as day, count(*)::int as classes,
          sum(extract(epoch from (coalesce(ended_at, now()) - started_at)))::float8 as seconds
        from rooms where started_at is not null group by 1
      ),
      recs as (
        select to_char(started_at at time zone 'UTC', 'YYYY-MM-DD') as day, count(*)::int as recordings,
          coalesce(sum(size_bytes), 0)::float8 as bytes
        from recordings where status <> 'failed' group by 1
      )
      select days.day, coalesce(classes.classes, 0) as classes, coalesce(classes.seconds, 0) as seconds,
        coalesce(peaks.peak, 0) as peak, coalesce(recs.recordings, 0) as recordings, coalesce(recs.bytes, 0) as bytes
      from days
        left join classes on classes.day = days.day
        left join peaks on peaks.day = days.day
        left join recs on recs.day = days.day
      order by days.day`.execute(this.db);
    return result.rows;
  }

  /**
   * The media load per UTC day from `from` to `to` (days without samples have no row), and the
   * whole period (the row whose day is null). Each minute's figures are summed over the nodes
   * (one row per node and minute, however many app servers sampled it), then the day takes the
   * highest minute, or the average over the minutes media was in use; media time is each
   * row's people joined to media times the seconds the row stands for.
   */
  async mediaLoad(from: string, to: string): Promise<MediaLoadDaySql[]> {
    const result = await sql<MediaLoadDaySql>`
      with rows as (
        select * from media_load
        where minute >= ${from}::date at time zone 'UTC' and minute < (${to}::date + 1) at time zone 'UTC'
      ),
      minutes as (
        select minute, to_char(minute at time zone 'UTC', 'YYYY-MM-DD') as day,
          sum(bits_per_second) as bits, sum(packets_per_second) as packets, sum(producers) as producers,
          sum(consumers) as consumers, sum(cpu_cores) as cpu, sum(peers * span_seconds) as media_seconds
        from rows group by minute
      ),
      nodes as (
        select to_char(minute at time zone 'UTC', 'YYYY-MM-DD') as day, node_id from rows group by 1, 2
      ),
      per as (
        select day, max(bits)::float8 as peak_bits, avg(bits)::float8 as average_bits, max(packets)::float8 as peak_packets,
          max(producers)::int as peak_producers, max(consumers)::int as peak_consumers, max(cpu)::float8 as peak_cpu,
          sum(media_seconds)::float8 as media_seconds, count(*)::int as minutes
        from minutes group by grouping sets ((day), ())
      )
      select per.*, (select count(distinct node_id)::int from nodes where per.day is null or nodes.day = per.day) as nodes
      from per order by per.day nulls last`.execute(this.db);
    return result.rows;
  }

  /** Every recording kept now (not failed), and their size. */
  async recordingsStored(): Promise<{ recordings: number; bytes: number }> {
    const result = await sql<{ recordings: number; bytes: number }>`
      select count(*)::int as recordings, coalesce(sum(size_bytes), 0)::float8 as bytes from recordings where status <> 'failed'`.execute(this.db);
    return result.rows[0] ?? { recordings: 0, bytes: 0 };
  }
}

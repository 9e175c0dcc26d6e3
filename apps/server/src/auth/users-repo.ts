import { sql, type Selectable } from "kysely";
import type { UserDto, UserRole } from "@vtp/protocol";
import type { DB } from "../db/index.js";
import type { UsersTable } from "./tables.js";

export type UserRow = Selectable<UsersTable>;

export function toUserDto(u: UserRow): UserDto {
  return {
    id: u.id,
    email: u.email,
    fullName: u.full_name,
    role: u.role,
    emailVerified: u.email_verified_at !== null,
    disabled: u.disabled,
    createdAt: new Date(u.created_at).toISOString(),
  };
}

/** SQL for users lives here only. */
export class UsersRepo {
  constructor(private readonly db: DB) {}

  async create(u: { email: string; passwordHash: string; fullName: string; role: UserRole; verified?: boolean }): Promise<UserRow | undefined> {
    return this.db
      .insertInto("users")
      .values({
        email: u.email,
        password_hash: u.passwordHash,
        full_name: u.fullName,
        role: u.role,
        email_verified_at: u.verified ? new Date() : null,
      })
      .onConflict((oc) => oc.column("email").doNothing())
      .returningAll()
      .executeTakeFirst();
  }

  byId(id: string): Promise<UserRow | undefined> {
    if (!isUuid(id)) return Promise.resolve(undefined);
    return this.db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
  }

  byEmail(email: string): Promise<UserRow | undefined> {
    return this.db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirst();
  }

  async update(
    id: string,
    patch: Partial<{ full_name: string; password_hash: string; role: UserRole; disabled: boolean; email_verified_at: Date }>,
  ): Promise<UserRow | undefined> {
    return this.db
      .updateTable("users")
      .set({ ...patch, updated_at: sql`now()` })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirst();
  }

  async list(opts: { query?: string; role?: UserRole; page: number; pageSize: number }): Promise<{ rows: UserRow[]; total: number }> {
    let q = this.db.selectFrom("users");
    if (opts.role) q = q.where("role", "=", opts.role);
    if (opts.query) {
      const like = `%${opts.query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where((eb) => eb.or([eb("email", "ilike", like), eb("full_name", "ilike", like)]));
    }
    const [rows, count] = await Promise.all([
      q
        .selectAll()
        .orderBy("created_at", "desc")
        .orderBy("id")
        .limit(opts.pageSize)
        .offset((opts.page - 1) * opts.pageSize)
        .execute(),
      q.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  }

  async countAdmins(): Promise<number> {
    const r = await this.db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("role", "=", "admin")
      .where("disabled", "=", false)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
}

export function isUuid(s: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}

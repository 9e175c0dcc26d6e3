import { sql, type Selectable } from "kysely";
import type { UserDto, UserRole } from "@vtp/protocol";
import type { DB } from "../db/index.js";
import type { UsersTable } from "./tables.js";

export type UserRow = Selectable<UsersTable>;

export function toUserDto(user: UserRow): UserDto {
  return {
    id: user.id,
    email: user.email,
    fullName: user.full_name,
    role: user.role,
    emailVerified: user.email_verified_at !== null,
    disabled: user.disabled,
    createdAt: new Date(user.created_at).toISOString(),
  };
}

/** SQL for users lives here only. */
export class UsersRepo {
  constructor(private readonly db: DB) {}

  async create(user: { email: string; passwordHash: string; fullName: string; role: UserRole; verified?: boolean }): Promise<UserRow | undefined> {
    return this.db
      .insertInto("users")
      .values({
        email: user.email,
        password_hash: user.passwordHash,
        full_name: user.fullName,
        role: user.role,
        email_verified_at: user.verified ? new Date() : null,
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
    let query = this.db.selectFrom("users");
    if (opts.role) query = query.where("role", "=", opts.role);
    if (opts.query) {
      const like = `%${opts.query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) => eb.or([eb("email", "ilike", like), eb("full_name", "ilike", like)]));
    }
    const [rows, count] = await Promise.all([
      query
        .selectAll()
        .orderBy("created_at", "desc")
        .orderBy("id")
        .limit(opts.pageSize)
        .offset((opts.page - 1) * opts.pageSize)
        .execute(),
      query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  }

  async countAdmins(): Promise<number> {
    const result = await this.db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("role", "=", "admin")
      .where("disabled", "=", false)
      .executeTakeFirstOrThrow();
    return Number(result.n);
  }
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

import type { ColumnType, Generated } from "kysely";

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type UserRole = "admin" | "teacher" | "student";

export interface UsersTable {
  id: Generated<string>;
  email: string;
  password_hash: string;
  full_name: string;
  role: UserRole;
  email_verified_at: NullableTimestamp;
  disabled: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface EmailTokensTable {
  id: Generated<string>;
  user_id: string;
  purpose: "verify_email" | "reset_password";
  token_hash: string;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  created_at: Generated<Date>;
}

export interface RefreshTokensTable {
  id: Generated<string>;
  user_id: string;
  family_id: string;
  token_hash: string;
  expires_at: Timestamp;
  rotated_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  created_at: Generated<Date>;
}

export interface LoginFailuresTable {
  key: string;
  failures: number;
  window_start: Timestamp;
  locked_until: NullableTimestamp;
}

export interface AccountTables {
  users: UsersTable;
  email_tokens: EmailTokensTable;
  refresh_tokens: RefreshTokensTable;
  login_failures: LoginFailuresTable;
}

import type { SettingsReader } from "../config/settings.js";

export interface DatabaseSettings {
  /** DATABASE_STATEMENT_TIMEOUT_MS: a statement running longer is cancelled (PostgreSQL `statement_timeout`; the client gives up a second later when the server does not answer at all). */
  statementTimeoutMs: number;
  /** DATABASE_CONNECT_TIMEOUT_MS: how long a request waits to open or borrow a pooled connection. */
  connectTimeoutMs: number;
  /** DATABASE_POOL_SIZE: connections per process (PostgreSQL). */
  poolSize: number;
  /** DATABASE_HEALTH_TIMEOUT_MS: /health's database probe answers "down" after this long. */
  healthTimeoutMs: number;
}

export const DEFAULT_DATABASE_SETTINGS: DatabaseSettings = { statementTimeoutMs: 5000, connectTimeoutMs: 3000, poolSize: 10, healthTimeoutMs: 800 };

/** Reads the database settings; problems go to the reader (reported at start). */
export function readDatabaseSettings(read: SettingsReader): DatabaseSettings {
  const defaults = DEFAULT_DATABASE_SETTINGS;
  return {
    statementTimeoutMs: read.int("DATABASE_STATEMENT_TIMEOUT_MS", defaults.statementTimeoutMs, 100, 3_600_000),
    connectTimeoutMs: read.int("DATABASE_CONNECT_TIMEOUT_MS", defaults.connectTimeoutMs, 100, 600_000),
    poolSize: read.int("DATABASE_POOL_SIZE", defaults.poolSize, 1, 1000),
    healthTimeoutMs: read.int("DATABASE_HEALTH_TIMEOUT_MS", defaults.healthTimeoutMs, 50, 60_000),
  };
}

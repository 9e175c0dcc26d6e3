import type pg from "pg";
import type { PostgresPool, PostgresPoolClient } from "kysely";
import { classifyDatabaseError, isDatabaseUnavailable } from "./unavailable.js";

/**
 * The pg pool as Kysely sees it, with connection trouble turned into DATABASE_UNAVAILABLE
 * (refused, reset, connect or pool timeout, statement timeout) at the one place every query
 * passes. A client whose query failed that way is destroyed on release rather than pooled
 * again: after a client-side read timeout its connection may still be busy with the lost query.
 */
export function guardedPool(pool: pg.Pool): PostgresPool {
  const guards = new WeakMap<pg.PoolClient, GuardedClient>();
  return {
    async connect() {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw classifyDatabaseError(err);
      }
      let guard = guards.get(client);
      if (!guard) {
        guard = new GuardedClient(client);
        guards.set(client, guard);
      }
      guard.broken = false;
      return guard as unknown as PostgresPoolClient;
    },
    end: () => pool.end(),
  };
}

class GuardedClient {
  broken = false;
  constructor(private readonly client: pg.PoolClient) {
    // The connection dropped while checked out between two queries: the next query fails
    // (DATABASE_UNAVAILABLE) and the client is destroyed on release; nothing to throw here.
    client.on("error", () => {
      this.broken = true;
    });
  }

  query(...args: unknown[]): unknown {
    const first = args[0] as { submit?: unknown } | undefined;
    // A cursor (streamed query) is returned as is; Kysely reads it itself.
    if (first && typeof first === "object" && typeof first.submit === "function") return (this.client.query as (...queryArgs: unknown[]) => unknown)(...args);
    return (this.client.query as (...queryArgs: unknown[]) => Promise<unknown>)(...args).catch((err: unknown) => {
      if (isDatabaseUnavailable(err)) this.broken = true;
      throw classifyDatabaseError(err);
    });
  }

  release() {
    this.client.release(this.broken ? true : undefined);
  }
}

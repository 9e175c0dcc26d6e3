import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import pg from "pg";
import { Redis } from "ioredis";
import { createPgDatabase } from "../../helpers/db.js";
import { startVtp, type VtpProcess } from "../../helpers/process.js";
import { TestClient } from "../rooms/helpers.js";

/**
 * Several real `vtp start` processes sharing one PostgreSQL database (a fresh one) and one Redis
 * (a fresh key prefix). Needs PostgreSQL (TEST_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres) and Redis (TEST_REDIS_URL, default
 * redis://127.0.0.1:6379).
 */
export const PG = process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
export const REDIS = process.env.TEST_REDIS_URL || "redis://127.0.0.1:6379";

export class Cluster {
  readonly prefix = `vtp-test-${randomBytes(4).toString("hex")}:`;
  readonly clients: TestClient[] = [];
  private readonly cleanups: Array<() => Promise<unknown>> = [];
  private env: Record<string, string> = {};
  dbUrl = "";

  /** A fresh database and the environment shared by every node (plus `extraEnv`). */
  async setUp(extraEnv: Record<string, string> = {}): Promise<void> {
    const db = await createPgDatabase(PG);
    this.dbUrl = db.url;
    this.cleanups.push(db.drop);
    this.cleanups.push(async () => {
      const redis = new Redis(REDIS);
      const keys = await redis.keys(`${this.prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    });
    this.env = {
      DATABASE_URL: db.url,
      REDIS_URL: REDIS,
      VTP_REDIS_PREFIX: this.prefix,
      JWT_SECRET: randomBytes(32).toString("hex"),
      BCRYPT_COST: "4",
      LOG_LEVEL: "warn",
      ...extraEnv,
    };
  }

  async node(): Promise<VtpProcess> {
    const node = await startVtp(this.env);
    this.cleanups.push(() => node.stop("SIGKILL"));
    return node;
  }

  async tearDown(): Promise<void> {
    for (const c of this.clients) c.close();
    for (const c of this.cleanups.reverse()) await c().catch(() => {});
  }

  async api(node: VtpProcess, method: string, url: string, body?: unknown, token?: string) {
    const res = await fetch(`${node.url}${url}`, {
      method,
      headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  /** Registers on `node`, marks the email verified in the shared database, signs in. */
  async account(node: VtpProcess, fullName: string, role: "teacher" | "student" | "admin") {
    const email = `${fullName.toLowerCase().replace(/\W/g, "")}-${randomBytes(3).toString("hex")}@school.test`;
    const password = "cluster test password";
    expect((await this.api(node, "POST", "/api/v1/auth/register", { email, password, fullName, role: role === "admin" ? "teacher" : role })).status).toBe(201);
    const db = new pg.Client({ connectionString: this.dbUrl });
    await db.connect();
    try {
      await db.query("update users set email_verified_at = now() where email = $1", [email]);
      if (role === "admin") await db.query("update users set role = 'admin' where email = $1", [email]);
    } finally {
      await db.end();
    }
    const login = await this.api(node, "POST", "/api/v1/auth/login", { email, password });
    expect(login.status).toBe(200);
    return { token: login.body.accessToken as string, id: login.body.user.id as string };
  }

  async connect(node: VtpProcess, token: string, name: string): Promise<TestClient> {
    const client = await TestClient.connect(node.url, token, name);
    this.clients.push(client);
    return client;
  }

  async query(sql: string, params: unknown[]) {
    const db = new pg.Client({ connectionString: this.dbUrl });
    await db.connect();
    try {
      return (await db.query(sql, params)).rows;
    } finally {
      await db.end();
    }
  }
}

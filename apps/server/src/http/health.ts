import type { FastifyInstance, FastifyReply } from "fastify";
import { HealthResponse } from "@vtp/protocol";
import type { AppContext } from "../context.js";

/**
 * This server's health: the database answers and, with Redis, the shared live state answers
 * (each probe has its own short timeout, so a hung store answers "down" in time); version, uptime.
 */
export async function healthOf(ctx: AppContext): Promise<HealthResponse> {
  const [dbOk, redis] = await Promise.all([ctx.database.ping(), ctx.liveState.kind === "redis" ? ctx.liveState.health(500) : undefined]);
  const redisOk = redis === undefined || redis.ok;
  return {
    status: dbOk && redisOk ? "ok" : "degraded",
    version: ctx.version,
    uptimeSeconds: Math.round((Date.now() - ctx.startedAt) / 100) / 10,
    database: dbOk ? "ok" : "down",
    ...(redis ? { redis: redis.ok ? ("ok" as const) : ("down" as const) } : {}),
  };
}

export async function healthRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const handler = async (_req: unknown, reply: FastifyReply) => {
    const body = await healthOf(ctx);
    return reply.status(body.status === "ok" ? 200 : 503).send(body);
  };
  const schema = {
    tags: ["system"],
    summary: "Liveness: 503 when the database or (with REDIS_URL) Redis does not answer",
    response: { 200: HealthResponse, 503: HealthResponse },
  };
  app.get("/health", { schema }, handler);
  app.get("/api/v1/health", { schema }, handler);
}

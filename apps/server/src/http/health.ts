import type { FastifyInstance } from "fastify";
import { HealthResponse } from "@vtp/protocol";
import type { AppContext } from "../context.js";

/** This server's health: the database answers, version, uptime. */
export async function healthOf(ctx: AppContext): Promise<HealthResponse> {
  const dbOk = await ctx.database.ping();
  return {
    status: dbOk ? "ok" : "degraded",
    version: ctx.version,
    uptimeSeconds: Math.round((Date.now() - ctx.startedAt) / 100) / 10,
    database: dbOk ? "ok" : "down",
  };
}

export async function healthRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const handler = async (_req: unknown, reply: any) => {
    const body = await healthOf(ctx);
    return reply.status(body.database === "ok" ? 200 : 503).send(body);
  };
  const schema = { tags: ["system"], summary: "Liveness and database health", response: { 200: HealthResponse, 503: HealthResponse } };
  app.get("/health", { schema }, handler);
  app.get("/api/v1/health", { schema }, handler);
}

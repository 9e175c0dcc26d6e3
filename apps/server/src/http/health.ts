import type { FastifyInstance } from "fastify";
import { HealthResponse } from "@vtp/protocol";
import type { AppContext } from "../context.js";

export async function healthRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const handler = async (_req: unknown, reply: any) => {
    const dbOk = await ctx.database.ping();
    const body = {
      status: dbOk ? ("ok" as const) : ("degraded" as const),
      version: ctx.version,
      uptimeSeconds: Math.round((Date.now() - ctx.startedAt) / 100) / 10,
      database: dbOk ? ("ok" as const) : ("down" as const),
    };
    return reply.status(dbOk ? 200 : 503).send(body);
  };
  const schema = { tags: ["system"], summary: "Liveness and database health", response: { 200: HealthResponse, 503: HealthResponse } };
  app.get("/health", { schema }, handler);
  app.get("/api/v1/health", { schema }, handler);
}

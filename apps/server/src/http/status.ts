import type { FastifyInstance } from "fastify";
import { AdminStatusResponse, ErrorSchema } from "@vtp/protocol";
import type { AppContext } from "../context.js";
import { PROCESS_QUEUE } from "../recording/Processor.js";
import { healthOf } from "./health.js";
import { mediaSpreadOf } from "../metrics/mediaSpread.js";

/**
 * GET /api/v1/admin/status (admins): this server's health, the app servers alive in the
 * cluster, media (without starting it), and the recording pipeline's queue.
 */
export async function adminStatusRoutes(app: FastifyInstance, opts: { ctx: AppContext }) {
  const { ctx } = opts;
  const { media, recording } = ctx;
  const errors = { 401: ErrorSchema, 403: ErrorSchema };
  app.get(
    "/status",
    {
      preHandler: ctx.auth.guard("admin"),
      schema: {
        tags: ["admin"],
        security: [{ bearerAuth: [] }],
        summary: "System status for administrators",
        response: { 200: AdminStatusResponse, ...errors },
      },
    },
    async () => {
      const health = await healthOf(ctx);
      const dbOk = health.database === "ok";
      const sig = ctx.signalling;
      const [nodes, liveRooms, jobs, active, mediaStatus] = await Promise.all([
        sig.liveNodes(),
        dbOk ? ctx.roomStats.liveCount() : 0,
        dbOk ? recording.jobs.counts(PROCESS_QUEUE) : { queued: 0, running: 0, done: 0, failed: 0 },
        dbOk ? recording.service.activeCount() : 0,
        media ? media.status() : { started: false },
      ]);
      // Placement and pipes only once media runs here (asking must not start it).
      const spread = media && mediaStatus.started ? await mediaSpreadOf(await media.service()).catch(() => undefined) : undefined;
      return {
        health,
        signalling: {
          adapter: sig.adapterKind,
          nodeId: sig.nodeId,
          nodes,
          socketsOnThisNode: sig.localSocketCount,
          liveRooms,
        },
        media: {
          mode: !media ? ("off" as const) : ctx.config.media.nodes.length > 0 ? ("remote" as const) : ("in-process" as const),
          ...mediaStatus,
          ...(spread ? { spread } : {}),
        },
        recordings: { active, queued: jobs.queued, running: jobs.running, failed: jobs.failed },
      };
    },
  );
}

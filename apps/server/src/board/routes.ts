import type { FastifyInstance, FastifyReply } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { ErrorSchema, IdParams, RecordingBoardResponse, RoomIdParams, Text, Uuid } from "@vtp/protocol";
import type { AppContext } from "../context.js";
import { currentUser } from "../auth/guard.js";
import { AppError } from "../errors/index.js";
import { type MaterialService, sendPdf } from "../materials/index.js";
import type { RecordingSpan } from "./replay.js";
import type { BoardService } from "./service.js";
import { boardReplay } from "./replay.js";

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 429: ErrorSchema };

/**
 * The board's REST routes (under /api/v1): the host clears every drawing of a class; a
 * recording's viewer reads the board of its span for the replay (the same access as the
 * recording's chat and polls: `RecordingService.viewable`, or a share link).
 */
export async function boardRoutes(fastify: FastifyInstance, { ctx, board, materials }: { ctx: AppContext; board: BoardService; materials: MaterialService }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const preHandler = ctx.auth.guard();
  const security = [{ bearerAuth: [] }];

  app.delete(
    "/rooms/:id/board/drawings",
    {
      preHandler,
      schema: {
        tags: ["board"],
        security,
        summary: "Clear every drawing of the class, on the whiteboard and on its materials; the materials stay (host or admin)",
        params: RoomIdParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      const room = await ctx.rooms.managed(currentUser(req), req.params.id);
      await board.clearAll(room.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    "/recordings/:id/board",
    {
      preHandler,
      schema: {
        tags: ["recordings"],
        security,
        summary: "The class board during the recording: the board at its start and every board action at its offset, for the replay",
        params: IdParams,
        response: { 200: RecordingBoardResponse, ...errors },
      },
    },
    async (req) => boardReplay(board, await ctx.recording.service.viewable(currentUser(req), req.params.id)),
  );

  app.get(
    "/shared/recordings/:token/board",
    {
      schema: {
        tags: ["recordings"],
        summary: "The class board of a shared recording (no account needed while the link stands)",
        params: Type.Object({ token: Text({ minLength: 1, maxLength: 100 }) }),
        response: { 200: RecordingBoardResponse, ...errors },
      },
    },
    async (req) => boardReplay(board, (await ctx.recording.service.byShareToken(req.params.token)).recording),
  );

  /** A document the board showed during the recording, for whoever may watch it: others (and other documents of the class) are 404. */
  async function shownDocument(reply: FastifyReply, recording: RecordingSpan, materialId: string) {
    const replay = await boardReplay(board, recording);
    if (!replay.materials.some((material) => material.id === materialId)) throw new AppError("MATERIAL_NOT_FOUND");
    const { material, stream } = await materials.file(recording.room_id, materialId);
    return sendPdf(reply, `${material.title}.pdf`, "inline").header("content-length", String(material.sizeBytes)).send(stream);
  }
  const RecordingMaterialParams = Type.Object({ id: Uuid(), materialId: Uuid() });
  const SharedMaterialParams = Type.Object({ token: Text({ minLength: 1, maxLength: 100 }), materialId: Uuid() });

  app.get(
    "/recordings/:id/board/materials/:materialId/file",
    {
      preHandler,
      schema: {
        tags: ["recordings"],
        security,
        summary: "The PDF of a document the board showed during the recording (the recording's viewers), for the replay's slides",
        params: RecordingMaterialParams,
        response: errors,
      },
    },
    async (req, reply) => shownDocument(reply, await ctx.recording.service.viewable(currentUser(req), req.params.id), req.params.materialId),
  );

  app.get(
    "/shared/recordings/:token/board/materials/:materialId/file",
    {
      schema: {
        tags: ["recordings"],
        summary: "The PDF of a document the board showed during a shared recording (no account needed while the link stands)",
        params: SharedMaterialParams,
        response: errors,
      },
    },
    async (req, reply) => shownDocument(reply, (await ctx.recording.service.byShareToken(req.params.token)).recording, req.params.materialId),
  );
}

import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { ErrorSchema, IdParams, RecordingBoardResponse, RoomIdParams, Text } from "@vtp/protocol";
import type { AppContext } from "../context.js";
import { currentUser } from "../auth/guard.js";
import type { BoardService } from "./service.js";
import { boardReplay } from "./replay.js";

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 429: ErrorSchema };

/**
 * The board's REST routes (under /api/v1): the host clears every drawing of a class; a
 * recording's viewer reads the board of its span for the replay (the same access as the
 * recording's chat and polls: `RecordingService.viewable`, or a share link).
 */
export async function boardRoutes(fastify: FastifyInstance, { ctx, board }: { ctx: AppContext; board: BoardService }) {
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
}

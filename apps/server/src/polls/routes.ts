import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { ErrorSchema, OkResponse, PollDraft, PollListResponse, PollResult, RoomIdParams, RoomPollParams } from "@vtp/protocol";
import type { AppContext } from "../context.js";
import { currentUser } from "../auth/guard.js";
import { forbidden } from "../errors/index.js";
import { isRoomHost } from "../rooms/index.js";
import type { PollService } from "./service.js";

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 429: ErrorSchema };

/** /api/v1/rooms/:id/polls: polls prepared ahead of class, and the class's record of them. */
export async function pollRoutes(fastify: FastifyInstance, { ctx, polls }: { ctx: AppContext; polls: PollService }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const preHandler = ctx.auth.guard();
  const tags = ["polls"];
  const security = [{ bearerAuth: [] }];

  app.get(
    "/:id/polls",
    {
      preHandler,
      schema: {
        tags,
        security,
        summary:
          "Every poll of the class across its sessions: with drafts and results for the host (and admins); for someone who joined, the opened polls, the results they may see and their own answer",
        params: RoomIdParams,
        response: { 200: PollListResponse, ...errors },
      },
    },
    async (req) => {
      const user = currentUser(req);
      const room = await ctx.rooms.row(req.params.id);
      const manager = isRoomHost(user, room);
      if (!manager && !(await ctx.attendance.hasJoined(room.id, user.id))) throw forbidden("Only people who joined this class can see its polls");
      return { polls: await polls.list(room.id, { userId: user.id, manager }) };
    },
  );

  app.post(
    "/:id/polls",
    {
      preHandler,
      schema: {
        tags,
        security,
        summary: "Prepare a poll ahead of class: a draft the host opens later (host or admin)",
        params: RoomIdParams,
        body: PollDraft,
        response: { 201: PollResult, ...errors },
      },
    },
    async (req, reply) => {
      const user = currentUser(req);
      const room = await ctx.rooms.managed(user, req.params.id);
      return reply.status(201).send({ poll: await polls.create(room.id, user.id, req.body, false) });
    },
  );

  app.delete(
    "/:id/polls/:pollId",
    {
      preHandler,
      schema: {
        tags,
        security,
        summary: "Delete a draft poll (host or admin); an opened poll stays on the record (409 POLL_NOT_DRAFT)",
        params: RoomPollParams,
        response: { 200: OkResponse, ...errors },
      },
    },
    async (req) => {
      const room = await ctx.rooms.managed(currentUser(req), req.params.id);
      await polls.deleteDraft(room.id, req.params.pollId);
      return { ok: true as const };
    },
  );
}

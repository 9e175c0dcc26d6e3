import type { FastifyInstance, FastifyRequest } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import {
  ErrorSchema,
  OkResponse,
  QuizDraft,
  QuizListResponse,
  QuizResult,
  QuizSubmissionBody,
  QuizSubmitResult,
  QuizViewResponse,
  RoomIdParams,
  RoomQuizParams,
} from "@vtp/protocol";
import type { AppContext } from "../context.js";
import { currentUser } from "../auth/guard.js";
import { forbidden } from "../errors/index.js";
import { isRoomHost } from "../rooms/index.js";
import type { QuizService, QuizViewer } from "./service.js";

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 429: ErrorSchema };

/** /api/v1/rooms/:id/quizzes: quizzes prepared ahead of class, answered after class, and their scores. */
export async function quizRoutes(fastify: FastifyInstance, { ctx, quizzes }: { ctx: AppContext; quizzes: QuizService }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const preHandler = ctx.auth.guard();
  const tags = ["quizzes"];
  const security = [{ bearerAuth: [] }];

  /** The host (and admins) manage; someone who joined the class sees the student view; anyone else: 403. */
  async function viewer(req: FastifyRequest, roomId: string): Promise<QuizViewer & { roomId: string }> {
    const user = currentUser(req);
    const room = await ctx.rooms.row(roomId);
    const manager = isRoomHost(user, room);
    if (!manager && !(await ctx.attendance.hasJoined(room.id, user.id))) throw forbidden("Only people who joined this class can see its quizzes");
    return { roomId: room.id, userId: user.id, manager };
  }

  app.get(
    "/:id/quizzes",
    {
      preHandler,
      schema: {
        tags,
        security,
        summary:
          "The class's quizzes: with drafts, correct options and results for the host (and admins); for someone who joined, the opened quizzes without correct options until closed, and their own submission and score",
        params: RoomIdParams,
        response: { 200: QuizListResponse, ...errors },
      },
    },
    async (req) => {
      const me = await viewer(req, req.params.id);
      return { quizzes: await quizzes.list(me.roomId, me) };
    },
  );

  app.post(
    "/:id/quizzes",
    {
      preHandler,
      schema: {
        tags,
        security,
        summary: "Prepare a quiz ahead of class: a draft the host opens later (host or admin)",
        params: RoomIdParams,
        body: QuizDraft,
        response: { 201: QuizResult, ...errors },
      },
    },
    async (req, reply) => {
      const user = currentUser(req);
      const room = await ctx.rooms.managed(user, req.params.id);
      return reply.status(201).send({ quiz: await quizzes.create(room.id, user.id, req.body, false) });
    },
  );

  app.get(
    "/:id/quizzes/:quizId",
    {
      preHandler,
      schema: {
        tags,
        security,
        summary: "One quiz: complete with results for the host (and admins); the student view and own submission for someone who joined",
        params: RoomQuizParams,
        response: { 200: QuizViewResponse, ...errors },
      },
    },
    async (req) => {
      const me = await viewer(req, req.params.id);
      return { view: await quizzes.view(me.roomId, req.params.quizId, me) };
    },
  );

  app.delete(
    "/:id/quizzes/:quizId",
    {
      preHandler,
      schema: {
        tags,
        security,
        summary: "Delete a quiz and its submissions (host or admin)",
        params: RoomQuizParams,
        response: { 200: OkResponse, ...errors },
      },
    },
    async (req) => {
      const room = await ctx.rooms.managed(currentUser(req), req.params.id);
      await quizzes.delete(room.id, req.params.quizId);
      return { ok: true as const };
    },
  );

  app.put(
    "/:id/quizzes/:quizId/submission",
    {
      preHandler,
      schema: {
        tags,
        security,
        summary:
          "Submit (or change) one's answers while the quiz is open — after class until its deadline (409 QUIZ_DEADLINE_PASSED after) — for someone who joined the class (not its host)",
        params: RoomQuizParams,
        body: QuizSubmissionBody,
        response: { 200: QuizSubmitResult, ...errors },
      },
    },
    async (req) => {
      const me = await viewer(req, req.params.id);
      if (me.manager) throw forbidden("The teacher runs quizzes; students answer them");
      return { submission: await quizzes.submit(me.roomId, me.userId, req.params.quizId, req.body.answers) };
    },
  );
}

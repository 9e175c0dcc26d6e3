import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import {
  AttendanceQuery,
  AttendanceResponse,
  ChatHistoryQuery,
  ChatHistoryResponse,
  CreateRoomBody,
  ErrorSchema,
  MyRoomAccessResponse,
  OkResponse,
  RoomCodeParams,
  RoomIdParams,
  RoomListQuery,
  RoomListResponse,
  RoomResponse,
  RoomStatsListQuery,
  RoomStatsListResponse,
  UpdateRoomBody,
  type RoomStats,
} from "@vtp/protocol";
import type { AppContext } from "../context.js";
import { currentUser } from "../auth/guard.js";
import { AppError, forbidden } from "../errors/index.js";
import { isTimeZone } from "../attendance/index.js";
import { isUuid } from "./repo.js";
import { isRoomHost } from "./service.js";

const MAX_STATS_IDS = 100;

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 429: ErrorSchema };

/** /api/v1/rooms: classes as records, their chat history and attendance. */
export async function roomRoutes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { rooms } = ctx;
  const preHandler = ctx.auth.guard();
  const tags = ["rooms"];
  const security = [{ bearerAuth: [] }];

  app.post(
    "/",
    { preHandler, schema: { tags, security, summary: "Create a room (teacher or admin)", body: CreateRoomBody, response: { 201: RoomResponse, ...errors } } },
    async (req, reply) => {
      const room = await rooms.create(currentUser(req), req.body);
      return reply.status(201).send({ room });
    },
  );

  app.get(
    "/",
    {
      preHandler,
      schema: {
        tags,
        security,
        summary: "Rooms I host or joined (admins: all), newest first",
        querystring: RoomListQuery,
        response: { 200: RoomListResponse, ...errors },
      },
    },
    async (req) => rooms.list(currentUser(req), req.query),
  );

  app.get(
    "/stats",
    {
      preHandler,
      schema: {
        tags,
        security,
        summary:
          "Stored and live numbers (peak, messages, …) of up to 100 rooms by id, comma-separated; rooms the caller does not host (admins: any) are left out",
        querystring: RoomStatsListQuery,
        response: { 200: RoomStatsListResponse, ...errors },
      },
    },
    async (req) => {
      const user = currentUser(req);
      const ids = [
        ...new Set(
          req.query.ids
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean),
        ),
      ];
      if (ids.length > MAX_STATS_IDS) throw new AppError("VALIDATION_FAILED", `At most ${MAX_STATS_IDS} room ids at once`, { field: "ids" });
      if (ids.some((id) => !isUuid(id))) throw new AppError("VALIDATION_FAILED", "ids must be room ids (UUIDs) separated by commas", { field: "ids" });
      const out: RoomStats[] = [];
      for (const id of ids) {
        const row = await rooms.find(id);
        if (row && isRoomHost(user, row)) out.push(await ctx.roomStats.of(row));
      }
      return { rooms: out };
    },
  );

  app.get(
    "/by-code/:code",
    { preHandler, schema: { tags, security, summary: "Look a room up by its join code", params: RoomCodeParams, response: { 200: RoomResponse, ...errors } } },
    async (req) => ({
      room: await rooms.byCode(req.params.code),
    }),
  );

  app.get(
    "/:id",
    { preHandler, schema: { tags, security, summary: "One room", params: RoomIdParams, response: { 200: RoomResponse, ...errors } } },
    async (req) => ({
      room: await rooms.get(req.params.id),
    }),
  );

  app.get(
    "/:id/my-access",
    {
      preHandler,
      schema: {
        tags,
        security,
        summary: "Whether I may join this class (host, open, removed, rejected), to tell a refused person before device set-up",
        params: RoomIdParams,
        response: { 200: MyRoomAccessResponse, ...errors },
      },
    },
    async (req) => {
      return { access: await rooms.accessOf(currentUser(req), req.params.id) };
    },
  );

  app.patch(
    "/:id",
    {
      preHandler,
      schema: {
        tags,
        security,
        summary: "Change title, description, schedule or settings (host or admin)",
        params: RoomIdParams,
        body: UpdateRoomBody,
        response: { 200: RoomResponse, ...errors },
      },
    },
    async (req) => ({
      room: await rooms.update(currentUser(req), req.params.id, req.body),
    }),
  );

  app.delete(
    "/:id",
    {
      preHandler,
      schema: {
        tags,
        security,
        summary: "Delete a room with its chat and attendance (host or admin); a live room is ended first",
        params: RoomIdParams,
        response: { 200: OkResponse, ...errors },
      },
    },
    async (req) => {
      await rooms.delete(currentUser(req), req.params.id);
      return { ok: true as const };
    },
  );

  app.post(
    "/:id/end",
    {
      preHandler,
      schema: {
        tags,
        security,
        summary: "End the class now (host or admin): everyone gets room-ended",
        params: RoomIdParams,
        response: { 200: RoomResponse, ...errors },
      },
    },
    async (req) => ({
      room: await rooms.end(currentUser(req), req.params.id),
    }),
  );

  app.get(
    "/:id/messages",
    {
      preHandler,
      schema: {
        tags,
        security,
        summary: "Chat history by sequence number (host, admin, or someone who joined)",
        params: RoomIdParams,
        querystring: ChatHistoryQuery,
        response: { 200: ChatHistoryResponse, ...errors },
      },
    },
    async (req) => {
      const user = currentUser(req);
      const room = await rooms.row(req.params.id);
      if (!isRoomHost(user, room) && !(await ctx.attendance.hasJoined(room.id, user.id)))
        throw forbidden("Only people who joined this class can read its chat");
      return ctx.chat.history(room.id, req.query.after ?? 0, req.query.limit ?? 50);
    },
  );

  app.get(
    "/:id/attendance",
    {
      preHandler,
      schema: {
        tags,
        security,
        summary: "Who attended, per person (host or admin); ?format=csv for a spreadsheet",
        params: RoomIdParams,
        querystring: AttendanceQuery,
        response: { 200: AttendanceResponse, ...errors },
      },
    },
    async (req, reply) => {
      const room = await rooms.managed(currentUser(req), req.params.id);
      const tz = req.query.tz ?? "UTC";
      if (!isTimeZone(tz)) throw new AppError("VALIDATION_FAILED", "tz must be an IANA time zone such as Europe/Paris", { field: "tz" });
      if (req.query.format === "csv") {
        const safe = room.code.replace(/[^A-Z0-9]/g, "");
        return reply
          .header("content-type", "text/csv; charset=utf-8")
          .header("content-disposition", `attachment; filename="attendance-${safe}.csv"`)
          .serializer((payload: unknown) => payload as string)
          .send((await ctx.attendance.csv(room.id, tz)) as never);
      }
      return { roomId: room.id, attendance: await ctx.attendance.report(room.id) };
    },
  );
}

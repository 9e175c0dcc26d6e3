import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import {
  CreateRoomBody,
  ErrorSchema,
  OkResponse,
  RoomResponse,
  RoomStatsResponse,
  RoomsStatsResponse,
  SignallingHealthResponse,
  SignallingRoomQuery,
} from "@vtp/protocol";
import type { AppContext } from "../context.js";
import { currentUser } from "../auth/guard.js";

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 429: ErrorSchema };

/** The /api/v1/signalling endpoints of the public contract (same rules as /api/v1/rooms). */
export async function signallingRoutes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { rooms, signalling } = ctx;
  const preHandler = ctx.auth.guard();
  const tags = ["signalling"];
  const security = [{ bearerAuth: [] }];

  app.get("/health", { schema: { tags, summary: "Signalling status of this node", response: { 200: SignallingHealthResponse } } }, async () => ({
    status: "ok" as const,
    adapter: signalling.adapterKind,
    socketsOnThisNode: signalling.localSocketCount,
    liveRooms: await ctx.roomStats.liveCount(),
  }));

  app.get(
    "/room/stats",
    {
      preHandler,
      schema: {
        tags,
        security,
        summary: "Live numbers of one room (host or admin)",
        querystring: SignallingRoomQuery,
        response: { 200: RoomStatsResponse, ...errors },
      },
    },
    async (req) => {
      const room = await rooms.managed(currentUser(req), req.query.room_id);
      return { stats: await ctx.roomStats.of(room) };
    },
  );

  app.get(
    "/rooms/stats",
    {
      preHandler: ctx.auth.guard("teacher", "admin"),
      schema: { tags, security, summary: "Live rooms with their numbers (admins: all; teachers: their own)", response: { 200: RoomsStatsResponse, ...errors } },
    },
    async (req) => {
      const user = currentUser(req);
      const list = await ctx.roomStats.live(user.role === "admin" ? undefined : user.id);
      return { rooms: list, totals: { liveRooms: list.length, participantsOnline: list.reduce((n, s) => n + s.participantsOnline, 0) } };
    },
  );

  app.post(
    "/room/create",
    {
      preHandler,
      schema: { tags, security, summary: "Create a room (same as POST /api/v1/rooms)", body: CreateRoomBody, response: { 201: RoomResponse, ...errors } },
    },
    async (req, reply) => reply.status(201).send({ room: await rooms.create(currentUser(req), req.body) }),
  );

  app.delete(
    "/room/delete",
    {
      preHandler,
      schema: {
        tags,
        security,
        summary: "Delete a room (same as DELETE /api/v1/rooms/:id)",
        querystring: SignallingRoomQuery,
        response: { 200: OkResponse, ...errors },
      },
    },
    async (req) => {
      await rooms.delete(currentUser(req), req.query.room_id);
      return { ok: true as const };
    },
  );
}

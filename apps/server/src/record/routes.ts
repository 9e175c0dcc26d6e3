import type { FastifyInstance, FastifyReply } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import {
  AdminOverviewQuery,
  AdminOverviewResponse,
  ClassRecordQuery,
  ClassRecordResponse,
  ErrorSchema,
  IdParams,
  MyRecordResponse,
  RoomIdParams,
  TeachingRecordResponse,
  UserDataErasure,
  UserDataExport,
} from "@vtp/protocol";
import type { AppContext } from "../context.js";
import { currentUser } from "../auth/guard.js";
import { AppError, forbidden } from "../errors/index.js";
import { isRoomHost } from "../rooms/index.js";
import { isTimeZone } from "../attendance/index.js";
import { toRecordCsv, type RecordService } from "./service.js";

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 429: ErrorSchema };
const tags = ["record"];
const security = [{ bearerAuth: [] }];

function download(reply: FastifyReply, type: string, filename: string, body: string) {
  return reply
    .header("content-type", `${type}; charset=utf-8`)
    .header("content-disposition", `attachment; filename="${filename}"`)
    .serializer((payload: unknown) => payload as string)
    .send(body as never);
}

export interface RecordRouteOptions {
  ctx: AppContext;
  record: RecordService;
}

/**
 * The class record's routes, registered under /api/v1: a class's record
 * (/rooms/:id/record), one's own across classes (/me/record), a teacher's classes
 * (/teaching/record), and the admin's overview and one person's data (/admin/...).
 */
export async function recordRoutes(fastify: FastifyInstance, { ctx, record }: RecordRouteOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const signedIn = ctx.auth.guard();
  const admin = ctx.auth.guard("admin");

  app.get(
    "/rooms/:id/record",
    {
      preHandler: signedIn,
      schema: {
        tags,
        security,
        summary: "The class record (host or admin: every student; a student who joined: their own row); ?format=csv or json to download",
        params: RoomIdParams,
        querystring: ClassRecordQuery,
        response: { 200: ClassRecordResponse, ...errors },
      },
    },
    async (req, reply) => {
      const user = currentUser(req);
      const room = await ctx.rooms.row(req.params.id);
      const host = isRoomHost(user, room);
      if (!host && !(await ctx.attendance.hasJoined(room.id, user.id)))
        throw forbidden("Only the host, an admin or someone who joined this class can see its record");
      const tz = req.query.tz ?? "UTC";
      if (!isTimeZone(tz)) throw new AppError("VALIDATION_FAILED", "tz must be an IANA time zone such as Europe/Paris", { field: "tz" });
      const safe = room.code.replace(/[^A-Z0-9]/g, "");
      const body = await record.classRecord(room.id, host ? undefined : user.id);
      if (req.query.format === "csv") return download(reply, "text/csv", `class-record-${safe}.csv`, toRecordCsv(body.rows, tz));
      if (req.query.format === "json") return download(reply, "application/json", `class-record-${safe}.json`, JSON.stringify(body, null, 2));
      return body;
    },
  );

  app.get(
    "/me/record",
    { preHandler: signedIn, schema: { tags, security, summary: "My own record in every class I attended", response: { 200: MyRecordResponse, ...errors } } },
    async (req) => record.personRecord(currentUser(req).id),
  );

  app.get(
    "/teaching/record",
    {
      preHandler: signedIn,
      schema: {
        tags,
        security,
        summary: "The classes I host (teacher or admin), each with its participation totals",
        response: { 200: TeachingRecordResponse, ...errors },
      },
    },
    async (req) => {
      const user = currentUser(req);
      if (user.role === "student") throw forbidden("Only teachers and admins host classes");
      return record.teachingRecord(user.id);
    },
  );

  app.get(
    "/admin/overview",
    {
      preHandler: admin,
      schema: {
        tags: ["admin"],
        security,
        summary: "Per UTC day: classes held, hours taught, peak concurrent participants, media load, recordings and their size (?days=30)",
        querystring: AdminOverviewQuery,
        response: { 200: AdminOverviewResponse, ...errors },
      },
    },
    async (req) => record.overview(req.query.days ?? 30),
  );

  app.get(
    "/admin/users/:id/export",
    {
      preHandler: admin,
      schema: {
        tags: ["admin"],
        security,
        summary: "Everything the platform holds about one person (account, attendance, chat, named poll answers), as a JSON download",
        params: IdParams,
        response: { 200: UserDataExport, ...errors },
      },
    },
    async (req, reply) => {
      const data = await record.exportPerson(req.params.id);
      ctx.log.info({ adminId: currentUser(req).id, userId: req.params.id }, "personal data exported");
      return download(reply, "application/json", `vtp-user-${req.params.id}.json`, JSON.stringify(data, null, 2));
    },
  );

  app.delete(
    "/admin/users/:id/data",
    {
      preHandler: admin,
      schema: {
        tags: ["admin"],
        security,
        summary: "Erase one person's attendance, chat message texts (kept as deleted placeholders) and named poll answers",
        params: IdParams,
        response: { 200: UserDataErasure, ...errors },
      },
    },
    async (req) => {
      const erased = await record.erasePerson(req.params.id);
      ctx.log.info({ adminId: currentUser(req).id, userId: req.params.id, ...erased }, "personal data erased");
      return erased;
    },
  );
}

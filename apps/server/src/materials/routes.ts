import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from "fastify";
import { Type } from "@sinclair/typebox";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import {
  ErrorSchema,
  isUuid,
  MATERIAL_CONTENT_TYPES,
  MaterialListResponse,
  MaterialResult,
  MaterialUploadQuery,
  RoomIdParams,
  RoomMaterialParams,
} from "@vtp/protocol";
import type { AppContext } from "../context.js";
import { currentUser, type AuthUser } from "../auth/guard.js";
import { AppError, forbidden } from "../errors/index.js";
import { isRoomHost, type RoomRow } from "../rooms/index.js";
import { tooLarge, type MaterialService } from "./service.js";
import { fileNameOf } from "./validate.js";

const errors = {
  400: ErrorSchema,
  401: ErrorSchema,
  403: ErrorSchema,
  404: ErrorSchema,
  413: ErrorSchema,
  415: ErrorSchema,
  422: ErrorSchema,
  429: ErrorSchema,
};
const OFFICE_TYPES = Object.keys(MATERIAL_CONTENT_TYPES).filter((type) => type !== "application/pdf");

/**
 * /api/v1/rooms/:id/materials: the class's PDFs (and converted office documents). Seeing them:
 * the host (or an admin) and the people who joined the class and were not removed or rejected
 * since; uploading and deleting: the host (or an admin). The upload is the raw file (no
 * multipart), read only after the host was recognized and never beyond MATERIALS_MAX_BYTES.
 */
export async function materialRoutes(fastify: FastifyInstance, { ctx, materials }: { ctx: AppContext; materials: MaterialService }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const maxBytes = ctx.config.materials.maxBytes;
  const guard = ctx.auth.guard();
  const preHandler = guard;
  const tags = ["materials"];
  const security = [{ bearerAuth: [] }];

  // The four document types, read raw up to the limit (this plugin's routes only).
  app.addContentTypeParser(Object.keys(MATERIAL_CONTENT_TYPES), { bodyLimit: maxBytes }, (req, payload, done) => readLimited(req, payload, maxBytes, done));
  // Any other body on these routes: not a material type (JSON and text keep Fastify's parsers; the handler refuses them).
  app.addContentTypeParser("*", (_req, payload, done) => {
    payload.resume();
    done(unsupported(), undefined);
  });

  // Before the body is read: only the class's host uploads.
  const hostBeforeBody: onRequestAsyncHookHandler = async (req, reply) => {
    await guard.call(fastify, req, reply);
    const { id } = req.params as { id?: string };
    if (id && isUuid(id)) await ctx.rooms.managed(currentUser(req), id);
  };

  app.get(
    "/:id/materials",
    {
      preHandler,
      schema: {
        tags,
        security,
        summary: "The class's materials, oldest first (host, admins, people who joined the class)",
        params: RoomIdParams,
        response: { 200: MaterialListResponse, ...errors },
      },
    },
    async (req) => {
      const room = await viewable(ctx, currentUser(req), req.params.id);
      return { materials: await materials.list(room.id) };
    },
  );

  app.post(
    "/:id/materials",
    {
      onRequest: hostBeforeBody,
      bodyLimit: maxBytes,
      schema: {
        tags,
        security,
        summary:
          "Upload a material (host or admin): the raw PDF — or pptx/odp/docx when the server has LibreOffice — as the body, with its Content-Type and the file name URI-encoded in X-File-Name",
        params: RoomIdParams,
        querystring: MaterialUploadQuery,
        response: { 201: MaterialResult, ...errors },
      },
    },
    async (req, reply) => {
      const user = currentUser(req);
      const room = await ctx.rooms.managed(user, req.params.id);
      const mediaType = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
      const sourceType = MATERIAL_CONTENT_TYPES[mediaType];
      if (!sourceType) throw unsupported();
      const material = await materials.add(room.id, user.id, {
        // An empty body never reaches the parser: MATERIAL_INVALID ("The file is empty").
        bytes: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        sourceType,
        fileName: fileNameOf(req.headers["x-file-name"], sourceType),
        title: req.query.title?.trim() || undefined,
      });
      return reply.status(201).send({ material });
    },
  );

  app.get(
    "/:id/materials/:materialId/file",
    { preHandler, schema: { tags, security, summary: "The material's PDF (members)", params: RoomMaterialParams, response: errors } },
    async (req, reply) => {
      const room = await viewable(ctx, currentUser(req), req.params.id);
      const { material, stream } = await materials.file(room.id, req.params.materialId);
      return sendPdf(reply, `${material.title}.pdf`, "inline").header("content-length", String(material.sizeBytes)).send(stream);
    },
  );

  app.get(
    "/:id/materials/:materialId/annotated.pdf",
    {
      preHandler,
      schema: { tags, security, summary: "The material's PDF with the class's drawings on its pages (members)", params: RoomMaterialParams, response: errors },
    },
    async (req, reply) => {
      const room = await viewable(ctx, currentUser(req), req.params.id);
      const { material, bytes } = await materials.annotated(room.id, req.params.materialId);
      return sendPdf(reply, `${material.title} (annotated).pdf`, "attachment").send(bytes);
    },
  );

  app.delete(
    "/:id/materials/:materialId",
    {
      preHandler,
      schema: {
        tags,
        security,
        summary: "Delete a material and its stored PDF (host or admin)",
        params: RoomMaterialParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      const room = await ctx.rooms.managed(currentUser(req), req.params.id);
      await materials.remove(room.id, req.params.materialId);
      return reply.status(204).send(null);
    },
  );
}

/** The class's host (or an admin), or someone who joined it and was not removed or rejected since. */
async function viewable(ctx: AppContext, user: AuthUser, roomId: string): Promise<RoomRow> {
  const room = await ctx.rooms.row(roomId);
  if (isRoomHost(user, room)) return room;
  const access = await ctx.roomRecords.accessOf(room.id, user.id);
  if (access?.status === "removed" || access?.status === "rejected") throw forbidden("You are no longer in this class");
  if (!(await ctx.attendance.hasJoined(room.id, user.id))) throw forbidden("Only people who joined this class can see its materials");
  return room;
}

function unsupported(): AppError {
  return new AppError("UNSUPPORTED_MATERIAL_TYPE", `Upload a PDF (application/pdf) or an office document (${OFFICE_TYPES.join(", ")}) as the raw request body`);
}

/** A PDF answer: its type, never cached by shared caches, and a safe file name. */
export function sendPdf(reply: FastifyReply, name: string, disposition: "inline" | "attachment"): FastifyReply {
  const ascii = name.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  return reply
    .type("application/pdf")
    .header("cache-control", "private, no-store")
    .header("content-disposition", `${disposition}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`);
}

/** Reads a raw body into a Buffer, refusing it (413 MATERIAL_TOO_LARGE) as soon as it passes the limit. */
function readLimited(req: FastifyRequest, payload: NodeJS.ReadableStream, maxBytes: number, done: (err: Error | null, body?: unknown) => void): void {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    payload.resume();
    done(tooLarge(maxBytes));
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (err: Error | null, body?: Buffer) => {
    if (finished) return;
    finished = true;
    done(err, body);
  };
  payload.on("data", (chunk: Buffer) => {
    if (finished) return;
    size += chunk.length;
    if (size > maxBytes) finish(tooLarge(maxBytes));
    else chunks.push(chunk);
  });
  payload.on("end", () => finish(null, Buffer.concat(chunks)));
  payload.on("error", (err) => finish(err));
}

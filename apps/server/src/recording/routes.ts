import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Type } from "@sinclair/typebox";
import { AddMarkerBody, IdParams, ShareRecordingBody, StartRecordingBody, Text, UpdateRecordingBody, RecordingListQuery } from "@vtp/protocol";
import { AppError } from "../errors/index.js";
import { currentUser } from "../auth/guard.js";
import type { AppContext } from "../context.js";
import { StorageNotFound, contentTypeFor } from "../storage/index.js";
import type { RecordingService } from "./service.js";
import type { RecordingRow } from "./repo.js";
import type { PlaybackAccess } from "./share.js";

/** The path of an HLS file under a recording (the handler checks its shape and extension). */
const HlsParams = Type.Object({ id: IdParams.properties.id, "*": Text({ maxLength: 200 }) });
const notReady = () => new AppError("RECORDING_NOT_READY", "The recording is not processed yet");
const linkEnded = () => new AppError("FORBIDDEN", "This playback link has expired or was revoked: reload the page");

/** Serves one stored file with HTTP Range support. */
async function sendFile(svc: RecordingService, req: FastifyRequest, reply: FastifyReply, key: string) {
  const st = await svc.stat(key);
  if (!st) throw notReady();
  const type = contentTypeFor(key);
  reply.header("accept-ranges", "bytes").header("content-type", type).header("cache-control", "private, max-age=300");
  const range = typeof req.headers.range === "string" ? /^bytes=(\d*)-(\d*)$/.exec(req.headers.range.trim()) : null;
  if (range && (range[1] || range[2])) {
    const start = range[1] ? Number(range[1]) : Math.max(0, st.size - Number(range[2]));
    const end = range[1] && range[2] ? Math.min(Number(range[2]), st.size - 1) : st.size - 1;
    if (start >= st.size || start > end) {
      reply.code(416).header("content-range", `bytes */${st.size}`);
      return reply.send();
    }
    reply
      .code(206)
      .header("content-range", `bytes ${start}-${end}/${st.size}`)
      .header("content-length", String(end - start + 1));
    return reply.send(await svc.read(key, { start, end }));
  }
  reply.header("content-length", String(st.size));
  return reply.send(await svc.read(key));
}

async function readText(svc: RecordingService, key: string): Promise<string> {
  try {
    const chunks: Buffer[] = [];
    for await (const c of await svc.read(key)) chunks.push(Buffer.from(c));
    return Buffer.concat(chunks).toString("utf8");
  } catch (err) {
    if (err instanceof StorageNotFound) throw notReady();
    throw err;
  }
}

/** A playlist whose URIs become signed absolute URLs under /api/v1/recordings/:id/hls/. */
function rewritePlaylist(text: string, id: string, dir: string, query: string): string {
  return text
    .split("\n")
    .map((line) => (line && !line.startsWith("#") ? `/api/v1/recordings/${id}/hls/${dir ? `${dir}/` : ""}${line.trim()}?${query}` : line))
    .join("\n");
}

const ready = (recording: RecordingRow) => {
  if (recording.status !== "ready") throw notReady();
  return recording;
};

export async function recordingRoutes(app: FastifyInstance, opts: { ctx: AppContext; service: RecordingService }) {
  const svc = opts.service;
  const auth = opts.ctx.auth.guard();
  const tags = ["recordings"];
  /**
   * A signed request whose grant still stands (img/video tags, hls.js), or a signed-in viewer;
   * with the access the URLs handed out in the answer get.
   */
  const viewer = async (
    req: FastifyRequest<{ Params: { id: string }; Querystring: Record<string, unknown> }>,
  ): Promise<{ recording: RecordingRow; access: PlaybackAccess }> => {
    const query = req.query ?? {};
    if (query.sig !== undefined) {
      const signed = await svc.signed(req.params.id, query);
      if (signed) return { recording: ready(signed.recording), access: signed.access };
      if (!req.headers.authorization) throw linkEnded();
    }
    const user = await opts.ctx.auth.fromRequest(req);
    return { recording: ready(await svc.viewable(user, req.params.id)), access: svc.accessFor(user) };
  };
  const stream = async ({ recording, access }: { recording: RecordingRow; access: PlaybackAccess }, reply: FastifyReply) => {
    const text = await readText(svc, `rec/${recording.id}/out/hls/master.m3u8`);
    return reply
      .header("content-type", "application/vnd.apple.mpegurl")
      .header("cache-control", "no-store")
      .send(rewritePlaylist(text, recording.id, "", svc.playbackQuery(recording.id, access)));
  };
  const shared = async (token: string) => {
    const lookup = await svc.byShareToken(token);
    return { recording: ready(lookup.recording), access: lookup.access };
  };

  app.post("/recordings/start", { preHandler: auth, schema: { tags, body: StartRecordingBody } }, async (req, reply) => {
    const recording = await svc.start(currentUser(req), (req.body as StartRecordingBody).roomId);
    return reply.code(201).send({ recording });
  });
  app.post("/recordings/:id/stop", { preHandler: auth, schema: { tags, params: IdParams } }, async (req) => ({
    recording: await svc.stop(currentUser(req), (req.params as { id: string }).id),
  }));
  app.get("/recordings", { preHandler: auth, schema: { tags, querystring: RecordingListQuery } }, async (req) => ({
    recordings: await svc.list(currentUser(req), (req.query as RecordingListQuery).roomId),
  }));
  app.get("/recordings/:id", { preHandler: auth, schema: { tags, params: IdParams } }, async (req) => ({
    recording: await svc.get(currentUser(req), (req.params as { id: string }).id),
  }));
  app.patch("/recordings/:id", { preHandler: auth, schema: { tags, params: IdParams, body: UpdateRecordingBody } }, async (req) => ({
    recording: await svc.update(currentUser(req), (req.params as { id: string }).id, req.body as UpdateRecordingBody),
  }));
  app.delete("/recordings/:id", { preHandler: auth, schema: { tags, params: IdParams } }, async (req, reply) => {
    await svc.remove(currentUser(req), (req.params as { id: string }).id);
    return reply.code(204).send();
  });
  app.post("/rooms/:id/recording/markers", { preHandler: auth, schema: { tags, params: IdParams, body: AddMarkerBody } }, async (req, reply) => {
    const marker = await svc.addMarker(currentUser(req), (req.params as { id: string }).id, (req.body as AddMarkerBody).label);
    return reply.code(201).send({ marker });
  });
  app.post("/recordings/:id/share", { preHandler: auth, schema: { tags, params: IdParams, body: Type.Optional(ShareRecordingBody) } }, async (req, reply) => {
    const share = await svc.share(currentUser(req), (req.params as { id: string }).id, (req.body as ShareRecordingBody | undefined)?.expiresInHours);
    return reply.code(201).send(share);
  });
  app.delete("/recordings/:id/share", { preHandler: auth, schema: { tags, params: IdParams } }, async (req, reply) => {
    await svc.unshare(currentUser(req), (req.params as { id: string }).id);
    return reply.code(204).send();
  });
  app.get("/recordings/:id/chat", { preHandler: auth, schema: { tags, params: IdParams } }, async (req) =>
    svc.chat(await svc.viewable(currentUser(req), (req.params as { id: string }).id)),
  );
  app.get("/recordings/:id/polls", { preHandler: auth, schema: { tags, params: IdParams } }, async (req) => {
    const user = currentUser(req);
    return svc.polls(await svc.viewable(user, (req.params as { id: string }).id), user);
  });

  type FileReq = FastifyRequest<{ Params: { id: string }; Querystring: Record<string, unknown> }>;
  app.get("/recordings/:id/download", { schema: { tags, params: IdParams } }, async (req: FileReq, reply) => {
    const { recording } = await viewer(req);
    reply.header("content-disposition", `attachment; filename="recording-${recording.id}.mp4"`);
    return sendFile(svc, req, reply, `rec/${recording.id}/out/recording.mp4`);
  });
  app.get("/recordings/:id/thumbnail", { schema: { tags, params: IdParams } }, async (req: FileReq, reply) =>
    sendFile(svc, req, reply, `rec/${(await viewer(req)).recording.id}/out/thumbnail.jpg`),
  );
  app.get("/recordings/:id/stream", { schema: { tags, params: IdParams } }, async (req: FileReq, reply) => stream(await viewer(req), reply));
  app.get(
    "/recordings/:id/hls/*",
    { schema: { tags, params: HlsParams } },
    async (req: FastifyRequest<{ Params: { id: string; "*": string }; Querystring: Record<string, unknown> }>, reply) => {
      const { id } = req.params;
      const signed = await svc.signed(id, req.query ?? {});
      if (!signed) throw linkEnded();
      const rel = req.params["*"];
      if (!/^(?:[\w-]+\/)?[\w.-]+\.(m3u8|ts|m4s)$/.test(rel) || rel.includes("..")) throw new AppError("NOT_FOUND", "Not found");
      if (rel.endsWith(".m3u8")) {
        const text = await readText(svc, `rec/${id}/out/hls/${rel}`);
        return reply
          .header("content-type", "application/vnd.apple.mpegurl")
          .header("cache-control", "no-store")
          .send(rewritePlaylist(text, id, rel.includes("/") ? rel.slice(0, rel.lastIndexOf("/")) : "", svc.playbackQuery(id, signed.access)));
      }
      return sendFile(svc, req, reply, `rec/${id}/out/hls/${rel}`);
    },
  );

  // Share links: no account needed.
  const TokenParams = Type.Object({ token: Text({ minLength: 1, maxLength: 100 }) });
  type TokReq = FastifyRequest<{ Params: { token: string } }>;
  app.get("/shared/recordings/:token", { schema: { tags, params: TokenParams } }, async (req: TokReq) => {
    const { recording, access } = await svc.byShareToken(req.params.token);
    return { recording: await svc.dto(recording, access), chat: await svc.chat(recording), polls: await svc.polls(recording, null) };
  });
  app.get("/shared/recordings/:token/stream", { schema: { tags, params: TokenParams } }, async (req: TokReq, reply) =>
    stream(await shared(req.params.token), reply),
  );
  app.get("/shared/recordings/:token/download", { schema: { tags, params: TokenParams } }, async (req: TokReq, reply) =>
    sendFile(svc, req, reply, `rec/${(await shared(req.params.token)).recording.id}/out/recording.mp4`),
  );
  app.get("/shared/recordings/:token/thumbnail", { schema: { tags, params: TokenParams } }, async (req: TokReq, reply) =>
    sendFile(svc, req, reply, `rec/${(await shared(req.params.token)).recording.id}/out/thumbnail.jpg`),
  );
}

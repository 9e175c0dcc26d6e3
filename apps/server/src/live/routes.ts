import { createReadStream } from "node:fs";
import type { FastifyInstance, FastifyReply } from "fastify";
import { Type } from "@sinclair/typebox";
import { IdParams, LiveChatBody, LiveLinkParams, LiveTokenParams, LiveViewerQuery, MultilineText, StartLiveBody, Text } from "@vtp/protocol";
import { currentUser } from "../auth/guard.js";
import type { AppContext } from "../context.js";
import type { LlFile } from "./llhls/serve.js";
import type { LiveService } from "./service.js";

const MemberChatBody = Type.Object({ text: MultilineText({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false });
const KeyFileParams = Type.Object({ key: Type.String({ pattern: "^[0-9A-Za-z._-]{40,140}$" }), "*": Text({ maxLength: 100 }) });
const TokenFileParams = Type.Object({ token: LiveTokenParams.properties.token, "*": Text({ maxLength: 100 }) });
/** Viewers' chat: a few messages per minute from one address. */
const chatLimit = { rateLimit: { max: 10, timeWindow: 60_000 } };

/**
 * HLS files: playlists change every segment (a CDN may keep them 1 s), segments never change.
 * Files behind a stream link are public to a cache; a member's are private.
 */
function sendHls(reply: FastifyReply, file: string, shared: boolean) {
  const playlist = file.endsWith(".m3u8");
  reply
    .header("content-type", playlist ? "application/vnd.apple.mpegurl" : "video/mp2t")
    .header("cache-control", playlist ? `${shared ? "public" : "private"}, max-age=1` : `${shared ? "public" : "private"}, max-age=86400, immutable`);
  return reply.send(createReadStream(file));
}

/** A low-latency HLS file from memory (llhls/): playlists not cached (they block), media immutable. */
function sendLl(reply: FastifyReply, file: LlFile, shared: boolean) {
  const scope = shared ? "public" : "private";
  reply.header("content-type", file.contentType).header("cache-control", file.immutable ? `${scope}, max-age=86400, immutable` : `${scope}, max-age=1`);
  return reply.send(file.body);
}

/** REST of live streaming (docs/PROTOCOL.md, "Live streaming"); every route checks who asks. */
export async function liveRoutes(app: FastifyInstance, opts: { ctx: AppContext; live: LiveService }) {
  const live = opts.live;
  const auth = opts.ctx.auth.guard();
  const tags = ["live"];
  type RoomReq = { Params: { id: string } };

  app.get<RoomReq & { Querystring: LiveViewerQuery }>(
    "/rooms/:id/live",
    { preHandler: auth, schema: { tags, params: IdParams, querystring: LiveViewerQuery } },
    async (req) => ({
      live: await live.status(currentUser(req), req.params.id, req.query.viewer),
    }),
  );
  app.post<RoomReq & { Body: StartLiveBody }>(
    "/rooms/:id/live",
    { preHandler: auth, schema: { tags, params: IdParams, body: StartLiveBody } },
    async (req, reply) => reply.code(201).send({ live: await live.start(currentUser(req), req.params.id, req.body ?? {}) }),
  );
  app.delete<RoomReq>("/rooms/:id/live", { preHandler: auth, schema: { tags, params: IdParams } }, async (req, reply) => {
    await live.stop(currentUser(req), req.params.id);
    return reply.code(204).send();
  });
  app.post<RoomReq>("/rooms/:id/live/links", { preHandler: auth, schema: { tags, params: IdParams } }, async (req, reply) =>
    reply.code(201).send(await live.createLink(currentUser(req), req.params.id)),
  );
  app.delete<{ Params: { id: string; linkId: string } }>(
    "/rooms/:id/live/links/:linkId",
    { preHandler: auth, schema: { tags, params: LiveLinkParams } },
    async (req, reply) => {
      await live.revokeLink(currentUser(req), req.params.id, req.params.linkId);
      return reply.code(204).send();
    },
  );
  app.post<RoomReq & { Body: { text: string } }>(
    "/rooms/:id/live/chat",
    { preHandler: auth, config: chatLimit, schema: { tags, params: IdParams, body: MemberChatBody } },
    async (req, reply) => reply.code(201).send({ message: await live.chatAsMember(currentUser(req), req.params.id, req.body.text) }),
  );

  // Stream links: no account needed.
  type TokenReq = { Params: { token: string } };
  app.get<TokenReq & { Querystring: LiveViewerQuery }>(
    "/live/s/:token",
    { schema: { tags, params: LiveTokenParams, querystring: LiveViewerQuery } },
    async (req) => ({
      live: await live.statusByToken(req.params.token, req.query.viewer),
    }),
  );
  app.post<TokenReq & { Body: LiveChatBody }>(
    "/live/s/:token/chat",
    { config: chatLimit, schema: { tags, params: LiveTokenParams, body: LiveChatBody } },
    async (req, reply) => reply.code(201).send({ message: await live.chatByToken(req.params.token, req.body.name, req.body.text) }),
  );
  // Plain HLS from disk; `ll/…` is the low-latency HLS (blocking reloads: `_HLS_msn`, `_HLS_part`).
  type FileReq = { Querystring: Record<string, unknown> };
  app.get<{ Params: { token: string; "*": string } } & FileReq>("/live/s/:token/hls/*", { schema: { tags, params: TokenFileParams } }, async (req, reply) => {
    const grant = { token: req.params.token };
    const rel = req.params["*"];
    if (rel.startsWith("ll/")) return sendLl(reply, await live.llFileFor(grant, rel, req.query), true);
    return sendHls(reply, await live.fileFor(grant, rel), true);
  });
  app.get<{ Params: { key: string; "*": string } } & FileReq>("/live/m/:key/hls/*", { schema: { tags, params: KeyFileParams } }, async (req, reply) => {
    const grant = { key: req.params.key };
    const rel = req.params["*"];
    if (rel.startsWith("ll/")) return sendLl(reply, await live.llFileFor(grant, rel, req.query), false);
    return sendHls(reply, await live.fileFor(grant, rel), false);
  });
}

import { createHmac } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { Type, type Static } from "@sinclair/typebox";
import { ErrorSchema } from "@vtp/protocol";
import type { AppContext } from "../context.js";
import { currentUser } from "../auth/guard.js";
import type { IceConfig } from "./settings.js";

export { readIceSettings, type IceConfig } from "./settings.js";

export const IceServer = Type.Object({
  urls: Type.Array(Type.String()),
  username: Type.Optional(Type.String()),
  credential: Type.Optional(Type.String()),
});
export const IceServersResponse = Type.Object({
  iceServers: Type.Array(IceServer),
  /** Seconds the TURN credentials stay valid (absent without TURN). */
  ttlSeconds: Type.Optional(Type.Integer()),
});
export type IceServersResponse = Static<typeof IceServersResponse>;

/**
 * Short-lived TURN credentials in the shared-secret scheme of coturn's REST API
 * (`use-auth-secret` / `static-auth-secret`): username = "<expiry unix time>:<user id>",
 * credential = base64(HMAC-SHA1(secret, username)).
 */
export function turnCredentials(secret: string, userId: string, ttlSeconds: number, now = Date.now()) {
  const username = `${Math.floor(now / 1000) + ttlSeconds}:${userId}`;
  const credential = createHmac("sha1", secret).update(username).digest("base64");
  return { username, credential };
}

export function iceServersFor(cfg: IceConfig, userId: string): IceServersResponse {
  const iceServers: IceServersResponse["iceServers"] = [];
  if (cfg.stunUrls.length) iceServers.push({ urls: cfg.stunUrls });
  if (cfg.turnUrls.length && cfg.turnSecret) {
    iceServers.push({ urls: cfg.turnUrls, ...turnCredentials(cfg.turnSecret, userId, cfg.ttlSeconds) });
    return { iceServers, ttlSeconds: cfg.ttlSeconds };
  }
  return { iceServers };
}

/** `GET /api/v1/rtc/ice-servers`: the STUN/TURN list a signed-in client should use. */
export async function rtcRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const cfg = ctx.config.ice;
  if (cfg.turnUrls.length && !cfg.turnSecret) ctx.log.warn("TURN_URLS is set without TURN_SECRET: TURN servers are not offered to clients");
  app.get(
    "/ice-servers",
    {
      preHandler: ctx.auth.guard(),
      schema: {
        tags: ["media"],
        summary: "STUN/TURN servers with short-lived TURN credentials",
        security: [{ bearerAuth: [] }],
        response: { 200: IceServersResponse, 401: ErrorSchema },
      },
    },
    async (req, reply) => {
      reply.header("cache-control", "private, no-store");
      return iceServersFor(cfg, currentUser(req).id);
    },
  );
}

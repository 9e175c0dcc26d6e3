import { createHmac } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { Type, type Static } from "@sinclair/typebox";
import { ErrorSchema } from "@vtp/protocol";
import type { AppContext } from "../context.js";
import { currentUser } from "../auth/guard.js";

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

export interface IceConfig {
  stunUrls: string[];
  turnUrls: string[];
  turnSecret?: string;
  ttlSeconds: number;
}

const list = (v: string | undefined) => (v ?? "").split(",").map((s) => s.trim()).filter(Boolean);

/** STUN_URLS, TURN_URLS (comma-separated), TURN_SECRET, TURN_TTL_SECONDS (default 1 day). */
export function iceConfigFromEnv(env: NodeJS.ProcessEnv): IceConfig {
  const ttl = Number(env.TURN_TTL_SECONDS ?? 86400);
  return {
    stunUrls: list(env.STUN_URLS),
    turnUrls: list(env.TURN_URLS),
    turnSecret: env.TURN_SECRET || undefined,
    ttlSeconds: Number.isInteger(ttl) && ttl > 0 ? ttl : 86400,
  };
}

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
  const cfg = iceConfigFromEnv(ctx.config.env);
  if (cfg.turnUrls.length && !cfg.turnSecret) ctx.log.warn("TURN_URLS is set without TURN_SECRET: TURN servers are not offered to clients");
  app.get(
    "/ice-servers",
    {
      preHandler: ctx.auth.guard(),
      schema: { tags: ["media"], summary: "STUN/TURN servers with short-lived TURN credentials", security: [{ bearerAuth: [] }], response: { 200: IceServersResponse, 401: ErrorSchema } },
    },
    async (req, reply) => {
      reply.header("cache-control", "private, no-store");
      return iceServersFor(cfg, currentUser(req).id);
    },
  );
}

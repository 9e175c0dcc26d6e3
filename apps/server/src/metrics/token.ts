import { timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";

/**
 * Answers a scrape of /metrics that may not see the numbers: 404 METRICS_DISABLED when no token
 * is configured, 401 UNAUTHORIZED without `Authorization: Bearer <token>` or with another token.
 * Returns true when the request may proceed. Used by the app server and by `vtp media` nodes.
 */
export function metricsAccess(token: string | undefined, req: FastifyRequest, reply: FastifyReply): boolean {
  if (!token) {
    void reply.status(404).send({ error: { code: "METRICS_DISABLED", message: "Metrics are off: set METRICS_TOKEN to enable GET /metrics" } });
    return false;
  }
  const header = req.headers.authorization ?? "";
  const given = Buffer.from(header.startsWith("Bearer ") ? header.slice(7).trim() : "");
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    void reply
      .status(401)
      .header("www-authenticate", 'Bearer realm="metrics"')
      .send({ error: { code: "UNAUTHORIZED", message: "GET /metrics needs Authorization: Bearer <METRICS_TOKEN>" } });
    return false;
  }
  return true;
}

/** Rejects a METRICS_TOKEN that is too easy to guess (same rule as the app server's config). */
export function checkMetricsToken(token: string | undefined): string | undefined {
  if (token !== undefined && token !== "" && (token.length < 16 || /\s/.test(token))) {
    throw new Error("METRICS_TOKEN must be at least 16 characters, without spaces");
  }
  return token || undefined;
}

import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import type { AckResult } from "@vtp/protocol";

/** Answers through an ack; a broken ack must not break the server. */
export function safeAck(ack: (result: AckResult<object>) => void, result: AckResult<object>) {
  try {
    ack(result);
  } catch {
    /* the client is gone or its callback threw */
  }
}

let eventCount = 0;
/** A socket event's request id: "ev-" and a number unique in this process (base 36). */
export function nextEventId(): string {
  eventCount += 1;
  return `ev-${eventCount.toString(36)}`;
}

/**
 * Socket.IO's Redis adapter on its own pair of connections. The adapter publishes (and, on
 * close, unsubscribes) without handling the result: a command lost while Redis is away, or cut
 * by the disconnect at shutdown, must not become an unhandled rejection (which ends the process).
 */
export function redisAdapter(url: string, key: string, log: Logger) {
  const pub = new Redis(url, { maxRetriesPerRequest: 3 });
  const sub = pub.duplicate();
  settleFireAndForget(pub, ["publish", "spublish"]);
  settleFireAndForget(sub, ["punsubscribe", "unsubscribe"]);
  for (const c of [pub, sub]) c.on("error", (err) => log.warn({ err: err.message }, "redis adapter connection error"));
  return { adapter: createAdapter(pub, sub, { key }), clients: [pub, sub] };
}

/** Attaches a handler to every call of these commands on `client` (the rejected promise is still returned to the caller). */
function settleFireAndForget(client: Redis, names: readonly ("publish" | "spublish" | "punsubscribe" | "unsubscribe")[]) {
  for (const name of names) {
    const original = client[name].bind(client) as (...args: unknown[]) => Promise<unknown>;
    (client as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      const sent = original(...args);
      sent.catch(() => {});
      return sent;
    };
  }
}

/** The token of an `Authorization: Bearer …` header. */
export function bearer(header: unknown): string | undefined {
  const match = typeof header === "string" ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

/** The `exp` of an (already verified) JWT, as epoch ms. */
export function tokenExpiry(token: string): number | null {
  try {
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as { exp?: unknown };
    return typeof payload.exp === "number" ? payload.exp * 1000 : null;
  } catch {
    return null;
  }
}

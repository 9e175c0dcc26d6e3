import { randomBytes, randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { MemoryLiveState, RedisLiveState, type LiveState } from "../../../apps/server/src/signalling/state/index.js";
import { liveParticipant } from "./live-participant.js";

/**
 * A participant's media flags are set by the events of their producers, which arrive together when
 * a camera and a microphone start at once: each update changes its own flag (merged atomically by
 * the live state), so neither is lost — before, each wrote back the whole object it had read, and a
 * live microphone showed as muted on every screen. On memory and on the machine's Redis.
 */
const REDIS = process.env.TEST_REDIS_URL || "redis://127.0.0.1:6379";
const prefix = `vtp-test-${randomBytes(4).toString("hex")}:`;
const states: [string, LiveState][] = [
  ["memory", new MemoryLiveState()],
  ["redis", new RedisLiveState(REDIS, prefix)],
];

afterAll(async () => {
  const raw = new Redis(REDIS);
  const keys = await raw.keys(`${prefix}*`);
  if (keys.length) await raw.del(...keys);
  raw.disconnect();
  for (const [, state] of states) await state.close();
});

describe.each(states)("live state (%s): media flags", (_, state) => {
  it("keeps every flag when several are set at once, and changes only the flags named", async () => {
    const roomId = randomUUID();
    const participant = liveParticipant(roomId);
    await state.join(participant, 10, false);
    await Promise.all([
      state.update(roomId, participant.id, { media: { audio: true } }),
      state.update(roomId, participant.id, { media: { video: true } }),
      state.update(roomId, participant.id, { media: { screen: true } }),
    ]);
    expect((await state.get(roomId, participant.id))?.media).toEqual({ audio: true, video: true, screen: true });
    const after = await state.update(roomId, participant.id, { media: { audio: false }, name: "Q" });
    expect(after?.media).toEqual({ audio: false, video: true, screen: true });
    expect(after?.name).toBe("Q");
  });
});

import { Redis } from "ioredis";
import type { BreakoutMode, BreakoutStatus } from "@vtp/protocol";
import { AppError } from "../errors/index.js";

export interface StoredHand {
  participantId: string;
  userId: string;
  name: string;
  raisedAt: number;
}

export interface StoredGroup {
  id: string;
  name: string;
  materialId: string | null;
  /** User ids assigned to the group. */
  assigned: string[];
  helpRequestedAt: number | null;
  hands: StoredHand[];
  /** Epoch ms until which the group counts as talking (speech measured by the SFU). */
  talkingUntil: number;
}

/** One class's open groups, as kept in the live store (memory or Redis). All times are epoch ms. */
export interface BreakoutRecord {
  /** Bumped by every write (compare-and-set). */
  version: number;
  roomId: string;
  sessionId: string;
  status: BreakoutStatus;
  mode: BreakoutMode;
  openedAt: number;
  deadline: number | null;
  returnAt: number | null;
  closeReason: "host" | "time" | null;
  warned: boolean;
  broadcasting: boolean;
  broadcastBy: string | null;
  recordGroups: boolean;
  groups: StoredGroup[];
  /** Where each person is now: user id → group id (assigned members and visiting hosts). */
  placement: Record<string, string>;
  /** Names of everyone ever assigned or placed (for people not in the class right now). */
  names: Record<string, string>;
}

/** What `update`'s function returns: the new record, `null` to delete it, or undefined to leave it as is. */
export type BreakoutChange = BreakoutRecord | null | undefined;

/**
 * The breakout records of the classes, shared by the app servers (Redis) or kept in this process.
 * `update` is a compare-and-set loop: `change` may run several times and must not have side effects.
 */
export interface BreakoutStore {
  get(roomId: string): Promise<BreakoutRecord | undefined>;
  /** Applies `change` atomically; returns the record before and after (after: undefined when deleted or unchanged). */
  update(
    roomId: string,
    change: (current: BreakoutRecord | undefined) => BreakoutChange,
  ): Promise<{ before?: BreakoutRecord; after?: BreakoutRecord; changed: boolean }>;
  /** The classes with open groups. */
  openRooms(): Promise<string[]>;
  close(): Promise<void>;
}

const copy = (record: BreakoutRecord): BreakoutRecord => structuredClone(record);

export class MemoryBreakoutStore implements BreakoutStore {
  private readonly records = new Map<string, BreakoutRecord>();

  async get(roomId: string) {
    const record = this.records.get(roomId);
    return record ? copy(record) : undefined;
  }

  async update(roomId: string, change: (current: BreakoutRecord | undefined) => BreakoutChange) {
    const before = await this.get(roomId);
    const next = change(before ? copy(before) : undefined);
    if (next === undefined) return { before, changed: false };
    if (next === null) {
      this.records.delete(roomId);
      return { before, changed: true };
    }
    const after = { ...copy(next), version: (before?.version ?? 0) + 1 };
    this.records.set(roomId, after);
    return { before, after: copy(after), changed: true };
  }

  async openRooms() {
    return [...this.records.keys()];
  }

  async close() {}
}

/** KEYS: record, open set. ARGV: expected version, new JSON ("" deletes), room id. */
const CAS = `
local current = redis.call('GET', KEYS[1])
local version = 0
if current then version = cjson.decode(current).version end
if version ~= tonumber(ARGV[1]) then return 0 end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
  redis.call('SREM', KEYS[2], ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[2])
  redis.call('SADD', KEYS[2], ARGV[3])
end
return 1`;

export class RedisBreakoutStore implements BreakoutStore {
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly prefix: string,
  ) {
    this.redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: false });
    this.redis.on("error", () => {}); // reported by the calls that fail (LIVE_STATE_UNAVAILABLE)
  }

  private key(roomId: string) {
    return `${this.prefix}breakout:${roomId}`;
  }

  private get openKey() {
    return `${this.prefix}breakout:open`;
  }

  private async guard<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError("LIVE_STATE_UNAVAILABLE", "The live state is not answering");
    }
  }

  async get(roomId: string) {
    const raw = await this.guard(() => this.redis.get(this.key(roomId)));
    return raw ? (JSON.parse(raw) as BreakoutRecord) : undefined;
  }

  async update(roomId: string, change: (current: BreakoutRecord | undefined) => BreakoutChange) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const before = await this.get(roomId);
      const next = change(before ? copy(before) : undefined);
      if (next === undefined) return { before, changed: false };
      const after = next === null ? undefined : { ...next, version: (before?.version ?? 0) + 1 };
      const done = await this.guard(() =>
        this.redis.eval(CAS, 2, this.key(roomId), this.openKey, String(before?.version ?? 0), after ? JSON.stringify(after) : "", roomId),
      );
      if (done === 1) return { before, after, changed: true };
    }
    throw new AppError("SERVICE_UNAVAILABLE", "The groups are changing too fast; try again");
  }

  async openRooms() {
    return this.guard(() => this.redis.smembers(this.openKey));
  }

  async close() {
    this.redis.disconnect();
  }
}

import type { ParticipantMediaState, RoomRole } from "@vtp/protocol";
import type { RateLimiter } from "../../rooms/chat/index.js";

/**
 * Who is in a live room right now. Shared between server processes (Redis) or kept in this
 * process (memory); the classroom logic only sees this interface. All times are epoch ms.
 */
export interface LiveParticipant {
  id: string;
  roomId: string;
  userId: string;
  name: string;
  role: RoomRole;
  /** The socket that currently speaks for this participant (null never happens once joined). */
  socketId: string;
  connected: boolean;
  joinedAt: number;
  /** Set while in the reconnect grace period. */
  disconnectedAt: number | null;
  handRaisedAt: number | null;
  /** Per-room counter at raise time: orders the hand queue exactly. */
  handSeq: number | null;
  media: ParticipantMediaState;
  /** The attendance row of this stay. */
  attendanceId: string;
  /** The server process whose socket speaks for the participant (see `claimDeadNodes`). */
  nodeId?: string;
}

export interface WaitingEntry {
  userId: string;
  name: string;
  socketId: string;
  since: number;
  nodeId?: string;
}

/** A server process that stopped renewing its heartbeat, and the connections it held. */
export interface DeadNode {
  nodeId: string;
  participants: GraceEntry[];
  waiting: { roomId: string; userId: string; socketId: string }[];
}

export type JoinOutcome =
  | { kind: "joined"; participant: LiveParticipant; count: number }
  /** The user already had a participant (reconnect or a second tab): it now belongs to the new socket. */
  | { kind: "resumed"; participant: LiveParticipant; previousSocketId: string; wasConnected: boolean }
  | { kind: "full" };

export interface GraceEntry {
  roomId: string;
  participantId: string;
  socketId: string;
}

/** Conditions for a compare-and-set: every given field must equal the stored value. */
export type ParticipantCondition = Partial<Pick<LiveParticipant, "socketId" | "connected" | "handRaisedAt">>;
/**
 * What `update` changes. `media` is merged flag by flag, atomically (not replaced): the camera's
 * and the microphone's producers starting together each set their own flag, and a read-modify-write
 * of the whole object lost one of them (a live microphone shown muted).
 */
export type ParticipantPatch = Partial<Pick<LiveParticipant, "role" | "handRaisedAt" | "handSeq" | "connected" | "disconnectedAt" | "name">> & {
  media?: Partial<ParticipantMediaState>;
};

export interface LiveState extends RateLimiter {
  readonly kind: "memory" | "redis";

  /**
   * Atomically: resume the user's existing participant (moving it to `candidate.socketId`,
   * marking it connected, cancelling its grace period), or add `candidate` when the room has
   * fewer than `maxParticipants` (unless `exempt`).
   */
  join(candidate: LiveParticipant, maxParticipants: number, exempt: boolean): Promise<JoinOutcome>;
  get(roomId: string, participantId: string): Promise<LiveParticipant | undefined>;
  byUser(roomId: string, userId: string): Promise<LiveParticipant | undefined>;
  /** In join order. */
  list(roomId: string): Promise<LiveParticipant[]>;
  /** Applies `patch` when `cond` holds; returns the new value, or undefined (gone / condition failed). */
  update(roomId: string, participantId: string, patch: ParticipantPatch, cond?: ParticipantCondition): Promise<LiveParticipant | undefined>;
  /** Removes when `cond` holds; returns what was removed. */
  remove(roomId: string, participantId: string, cond?: ParticipantCondition): Promise<LiveParticipant | undefined>;
  /** A new number from the room's hand counter. */
  nextHandSeq(roomId: string): Promise<number>;

  /** Starts the grace period of a dropped participant (only when `socketId` still owns it). */
  startGrace(roomId: string, participantId: string, socketId: string, now: number, until: number): Promise<LiveParticipant | undefined>;
  /** Takes the grace periods that ended by `now`; each entry is handed to exactly one caller (one node). */
  claimExpiredGrace(now: number, max?: number): Promise<GraceEntry[]>;

  addWaiting(roomId: string, entry: WaitingEntry): Promise<void>;
  /** Removes (only when `socketId`, if given, matches) and returns the entry. */
  removeWaiting(roomId: string, userId: string, socketId?: string): Promise<WaitingEntry | undefined>;
  listWaiting(roomId: string): Promise<WaitingEntry[]>;

  /** Forgets the room's participants, waiting list and counters; returns the participants and waiting entries. */
  clearRoom(roomId: string): Promise<{ participants: LiveParticipant[]; waiting: WaitingEntry[] }>;

  /**
   * Node liveness, for many processes sharing the state: `nodeId` is alive for `ttlMs` more.
   * Returns false when the node had been declared dead meanwhile (its connections were dropped).
   */
  heartbeat(nodeId: string, ttlMs: number): Promise<boolean>;
  /** Nodes whose heartbeat lapsed, each handed to exactly one caller, with the connections they held. */
  claimDeadNodes(): Promise<DeadNode[]>;
  /** The nodes whose heartbeat is alive. */
  listNodes(): Promise<string[]>;
  /** A node shuts down cleanly (after dropping its own connections). */
  forgetNode(nodeId: string): Promise<void>;

  /** Whether the store answers (always for memory), and its round trip in ms; answers within `timeoutMs`. */
  health(timeoutMs?: number): Promise<{ ok: boolean; latencyMs?: number }>;

  close(): Promise<void>;
}

export function matches(participant: LiveParticipant, cond: ParticipantCondition | undefined): boolean {
  if (!cond) return true;
  for (const [k, v] of Object.entries(cond)) if ((participant as unknown as Record<string, unknown>)[k] !== v) return false;
  return true;
}

export function byJoinOrder(a: LiveParticipant, b: LiveParticipant): number {
  return a.joinedAt - b.joinedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

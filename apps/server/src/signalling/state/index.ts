export type { LiveState, LiveParticipant, WaitingEntry, JoinOutcome, GraceEntry, ParticipantPatch, ParticipantCondition, DeadNode } from "./LiveState.js";
export { MemoryLiveState } from "./MemoryLiveState.js";
export { RedisLiveState } from "./RedisLiveState.js";

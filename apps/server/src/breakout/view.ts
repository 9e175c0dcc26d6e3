import { randomUUID } from "node:crypto";
import type { BreakoutGroupDraft, BreakoutGroupDto, BreakoutMode, BreakoutStateDto } from "@vtp/protocol";
import { AppError } from "../errors/index.js";
import type { LiveParticipant } from "../signalling/index.js";
import type { BreakoutRecord, StoredGroup } from "./store.js";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The picture everyone in the class sees, from the stored record and the class's participants. */
export function toStateDto(record: BreakoutRecord, participants: LiveParticipant[], now = Date.now()): BreakoutStateDto {
  const byUser = new Map(participants.map((p) => [p.userId, p]));
  const groupOf = (group: StoredGroup): BreakoutGroupDto => {
    const visitors = Object.entries(record.placement)
      .filter(([userId, groupId]) => groupId === group.id && !group.assigned.includes(userId))
      .map(([userId]) => userId);
    const member = (userId: string, visitor: boolean) => {
      const participant = byUser.get(userId);
      return {
        userId,
        name: participant?.name ?? record.names[userId] ?? "",
        participantId: participant?.id ?? null,
        present: !!participant && participant.connected && record.placement[userId] === group.id,
        visitor,
      };
    };
    return {
      id: group.id,
      name: group.name,
      members: [...group.assigned.map((userId) => member(userId, false)), ...visitors.map((userId) => member(userId, true))],
      helpRequested: group.helpRequestedAt !== null,
      helpRequestedAt: iso(group.helpRequestedAt),
      talking: group.talkingUntil > now,
      hands: group.hands.map((hand) => ({ ...hand, raisedAt: new Date(hand.raisedAt).toISOString() })),
      materialId: group.materialId,
    };
  };
  const assigned = new Set(record.groups.flatMap((group) => group.assigned));
  return {
    roomId: record.roomId,
    sessionId: record.sessionId,
    status: record.status,
    mode: record.mode,
    openedAt: new Date(record.openedAt).toISOString(),
    deadline: iso(record.deadline),
    returnAt: iso(record.returnAt),
    broadcasting: record.broadcasting,
    broadcastBy: record.broadcastBy,
    groups: record.groups.map(groupOf),
    unassigned: participants.filter((p) => p.role !== "host" && !assigned.has(p.userId)).map((p) => p.userId),
    recordGroups: record.recordGroups,
  };
}

/** Fisher–Yates on a copy. */
function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/**
 * The groups of a new opening: `auto` deals the class's students (and presenters) out at random,
 * sizes differing by one at most; `manual` takes the host's lists (each person of the class once);
 * `self` leaves everyone unassigned.
 */
export function planGroups(mode: BreakoutMode, drafts: BreakoutGroupDraft[], participants: LiveParticipant[]): StoredGroup[] {
  const groups: StoredGroup[] = drafts.map((draft, index) => ({
    id: randomUUID(),
    name: draft.name?.trim() || `Group ${index + 1}`,
    materialId: draft.materialId ?? null,
    assigned: [],
    helpRequestedAt: null,
    hands: [],
    talkingUntil: 0,
  }));
  const students = participants.filter((p) => p.role !== "host");
  if (mode === "auto") {
    for (const [i, student] of shuffled(students).entries()) groups[i % groups.length]?.assigned.push(student.userId);
  } else if (mode === "manual") {
    const inClass = new Set(participants.map((p) => p.userId));
    const seen = new Set<string>();
    for (const [index, draft] of drafts.entries()) {
      for (const userId of draft.userIds ?? []) {
        if (seen.has(userId) || !inClass.has(userId))
          throw new AppError("BREAKOUT_INVALID_ASSIGNMENT", `User ${userId} is twice in the groups or not in the class`);
        seen.add(userId);
        groups[index]?.assigned.push(userId);
      }
    }
  }
  return groups;
}

/** The group with the fewest assigned people (latecomers in `auto` mode). */
export function smallestGroup(record: BreakoutRecord): StoredGroup | undefined {
  let best: StoredGroup | undefined;
  for (const group of record.groups) if (!best || group.assigned.length < best.assigned.length) best = group;
  return best;
}

/** The group a user is assigned to. */
export const assignedGroup = (record: BreakoutRecord, userId: string) => record.groups.find((group) => group.assigned.includes(userId));

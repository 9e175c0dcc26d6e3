import type { BreakoutGroupDto, BreakoutMessageDto, BreakoutStateDto, ChatMessageDto, ParticipantDto } from "@vtp/protocol";

/** The group a person is in right now (present in it), or null: the main room. */
export function groupOf(state: BreakoutStateDto | null, userId: string): BreakoutGroupDto | null {
  return state?.groups.find((group) => group.members.some((member) => member.userId === userId && member.present)) ?? null;
}

/** The group a person was assigned to (present or not): where a student goes back to. */
export function assignedGroupOf(state: BreakoutStateDto | null, userId: string): BreakoutGroupDto | null {
  return state?.groups.find((group) => group.members.some((member) => member.userId === userId && !member.visitor)) ?? null;
}

/**
 * Who the classroom shows: in a group, its members who are there (and me); in the main room while
 * groups are open, the people in no group; with no groups, everyone.
 */
export function visibleParticipants(
  participants: ParticipantDto[],
  state: BreakoutStateDto | null,
  groupId: string | null,
  meId: string | undefined,
): ParticipantDto[] {
  if (!state) return participants;
  const inGroup = (group: BreakoutGroupDto) => new Set(group.members.filter((member) => member.present).map((member) => member.participantId));
  if (groupId) {
    const group = state.groups.find((g) => g.id === groupId);
    const ids = group ? inGroup(group) : new Set<string | null>();
    return participants.filter((p) => p.id === meId || ids.has(p.id));
  }
  const away = new Set(state.groups.flatMap((group) => [...inGroup(group)]));
  return participants.filter((p) => p.id === meId || !away.has(p.id));
}

/** A group's chat in the shape the chat panel shows. */
export function asChatMessages(messages: BreakoutMessageDto[]): ChatMessageDto[] {
  return messages.map((m) => ({ ...m, roomId: m.groupId, deleted: false }));
}

/** Adds messages by sequence number (no duplicates), in order. */
export function mergeGroupMessages(current: BreakoutMessageDto[], incoming: BreakoutMessageDto[]): BreakoutMessageDto[] {
  const bySeq = new Map(current.map((m) => [m.seq, m]));
  for (const m of incoming) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((x, y) => x.seq - y.seq);
}

/** "Group 1", "Group 2", … for `count` groups, keeping names already typed. */
export function groupNames(count: number, typed: string[]): string[] {
  return Array.from({ length: count }, (_, i) => typed[i] ?? `Group ${i + 1}`);
}

/**
 * A balanced, random first draft of a manual assignment: every person in one of `count` groups,
 * sizes differing by one at most. `random` is injectable for tests.
 */
export function shuffleIntoGroups(userIds: string[], count: number, random: () => number = Math.random): Record<string, number> {
  const order = userIds.slice();
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const held = order[i] as string;
    order[i] = order[j] as string;
    order[j] = held;
  }
  const out: Record<string, number> = {};
  order.forEach((id, index) => {
    out[id] = index % count;
  });
  return out;
}

/** m:ss for a countdown (never negative). */
export function formatLeft(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
}

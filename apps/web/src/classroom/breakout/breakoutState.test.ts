import { describe, expect, it } from "vitest";
import type { BreakoutStateDto, ParticipantDto } from "@vtp/protocol";
import { asChatMessages, formatLeft, groupOf, mergeGroupMessages, shuffleIntoGroups, visibleParticipants } from "./breakoutState";

const member = (userId: string, participantId: string | null, present = true, visitor = false) => ({ userId, name: userId, participantId, present, visitor });
const group = (id: string, members: ReturnType<typeof member>[]) => ({
  id,
  name: id,
  members,
  helpRequested: false,
  helpRequestedAt: null,
  talking: false,
  hands: [],
  materialId: null,
});
const state: BreakoutStateDto = {
  roomId: "r",
  sessionId: "s",
  status: "open",
  mode: "auto",
  openedAt: "2026-01-01T00:00:00Z",
  deadline: null,
  returnAt: null,
  broadcasting: false,
  broadcastBy: null,
  groups: [group("g1", [member("a", "pa"), member("b", "pb", false)]), group("g2", [member("c", "pc"), member("t", "pt", true, true)])],
  unassigned: [],
  recordGroups: false,
};
const person = (id: string) => ({ id, userId: id.slice(1) }) as ParticipantDto;
const everyone = ["pa", "pb", "pc", "pt", "pd"].map(person);

describe("breakout state", () => {
  it("finds the group a person is in (present only)", () => {
    expect(groupOf(state, "a")?.id).toBe("g1");
    expect(groupOf(state, "b")).toBeNull();
    expect(groupOf(state, "t")?.id).toBe("g2");
    expect(groupOf(null, "a")).toBeNull();
  });

  it("shows a group's present members in the group, the rest in the main room, everyone without groups", () => {
    expect(visibleParticipants(everyone, state, "g2", "pt").map((p) => p.id)).toEqual(["pc", "pt"]);
    expect(visibleParticipants(everyone, state, "g1", "pa").map((p) => p.id)).toEqual(["pa"]);
    expect(visibleParticipants(everyone, state, null, "pd").map((p) => p.id)).toEqual(["pb", "pd"]);
    expect(visibleParticipants(everyone, null, null, "pd")).toHaveLength(5);
  });

  it("shuffles people into balanced groups", () => {
    const ids = ["1", "2", "3", "4", "5", "6", "7"];
    const placed = shuffleIntoGroups(ids, 3, () => 0.42);
    const sizes = [0, 1, 2].map((slot) => Object.values(placed).filter((v) => v === slot).length);
    expect(Object.keys(placed).sort()).toEqual(ids);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it("merges a group's chat by sequence and shapes it for the chat panel", () => {
    const message = (seq: number) => ({ id: `m${seq}`, groupId: "g1", seq, userId: "a", authorName: "A", text: `t${seq}`, createdAt: "2026-01-01T00:00:00Z" });
    const merged = mergeGroupMessages([message(2)], [message(1), message(2), message(3)]);
    expect(merged.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(asChatMessages(merged)[0]).toMatchObject({ roomId: "g1", deleted: false, text: "t1" });
  });

  it("formats countdowns", () => {
    expect(formatLeft(61_000)).toBe("1:01");
    expect(formatLeft(-5)).toBe("0:00");
    expect(formatLeft(9_200)).toBe("0:10");
  });
});

import { describe, expect, it } from "vitest";
import { formatJoinCode, parseJoinInput, parseRoomLink } from "./joinCode";
import { presenceSeries, presenceWindow } from "./presence";
import type { AttendanceEntry } from "@vtp/protocol";

describe("join codes", () => {
  it("accepts codes as people type or paste them", () => {
    expect(parseJoinInput("abcd-efgh")).toBe("ABCDEFGH");
    expect(parseJoinInput(" ABCD EFGH ")).toBe("ABCDEFGH");
    expect(parseJoinInput("https://vtp.school.org/join/ABCD-EFGH")).toBe("ABCDEFGH");
    expect(parseJoinInput("ABCD-EFG0")).toBeNull(); // 0 is not in the alphabet
    expect(parseJoinInput("ABC")).toBeNull();
    expect(formatJoinCode("ABCDEFGH")).toBe("ABCD-EFGH");
  });
  it("finds room links", () => {
    expect(parseRoomLink("http://x/room/0b4c2c1e-1111-4222-8333-944455556666")).toBe("0b4c2c1e-1111-4222-8333-944455556666");
    expect(parseRoomLink("ABCD-EFGH")).toBeNull();
  });
});

const entry = (first: number, last: number | null, present = false): AttendanceEntry => ({
  userId: String(first),
  name: "x",
  email: "x@y.z",
  role: "student",
  firstJoinAt: new Date(first).toISOString(),
  lastLeaveAt: last === null ? null : new Date(last).toISOString(),
  totalMinutes: 1,
  joins: 1,
  present,
});

describe("presence series", () => {
  it("counts people present at each step", () => {
    const series = presenceSeries([entry(0, 100), entry(50, null, true)], 0, 100, 4);
    expect(series.map((p) => p.count)).toEqual([1, 1, 2, 2, 2]);
    expect(series.map((p) => p.t)).toEqual([0, 25, 50, 75, 100]);
  });
  it("picks a window from the class or from the joins", () => {
    expect(presenceWindow([entry(10, 90)], null, null, 1000)).toEqual([10, 90]);
    expect(presenceWindow([entry(10, null, true)], new Date(5).toISOString(), null, 1000)).toEqual([5, 1000]);
    expect(presenceWindow([], null, null, 1000)).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { matchPath, safeNext } from "./match";

describe("matchPath", () => {
  it("matches static and parameter segments", () => {
    expect(matchPath("/dashboard", "/dashboard")).toEqual({});
    expect(matchPath("/dashboard", "/dashboard/")).toEqual({});
    expect(matchPath("/room/:id", "/room/abc-123")).toEqual({ id: "abc-123" });
    expect(matchPath("/join/:code", "/join/K7P%20Q")).toEqual({ code: "K7P Q" });
  });
  it("refuses other shapes", () => {
    expect(matchPath("/room/:id", "/room")).toBeNull();
    expect(matchPath("/room/:id", "/room/a/b")).toBeNull();
    expect(matchPath("/admin/users", "/admin/rooms")).toBeNull();
    expect(matchPath("/join/:code", "/join/%E0%A4%A")).toBeNull();
  });
});

describe("safeNext", () => {
  it("keeps same-origin paths only", () => {
    expect(safeNext("/room/1")).toBe("/room/1");
    expect(safeNext("//evil.example")).toBe("/dashboard");
    expect(safeNext("https://evil.example")).toBe("/dashboard");
    expect(safeNext("/\\evil")).toBe("/dashboard");
    expect(safeNext(null)).toBe("/dashboard");
  });
});

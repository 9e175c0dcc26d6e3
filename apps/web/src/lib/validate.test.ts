import { describe, expect, it } from "vitest";
import { checkEmail, checkName, checkPassword, collect } from "./validate";

describe("form validation", () => {
  it("checks emails", () => {
    expect(checkEmail("")).toMatch(/Enter your email/);
    expect(checkEmail("nope")).toMatch(/valid email/);
    expect(checkEmail(" ada@school.org ")).toBeNull();
  });
  it("checks passwords like the server: 10-128 characters and at most 72 bytes", () => {
    expect(checkPassword("short")).toMatch(/at least 10/);
    expect(checkPassword("a".repeat(10))).toBeNull();
    expect(checkPassword("a".repeat(72))).toBeNull();
    expect(checkPassword("é".repeat(40))).toMatch(/too long/); // 80 bytes
    expect(checkPassword("a".repeat(129))).toMatch(/at most 128/);
  });
  it("checks names and collects failures", () => {
    expect(checkName("  ")).toMatch(/Enter your name/);
    expect(collect({ a: null, b: "bad" })).toEqual({ b: "bad" });
  });
});

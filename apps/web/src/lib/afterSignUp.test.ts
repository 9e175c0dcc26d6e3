import { describe, expect, it } from "vitest";
import { forgetDestination, rememberDestination, rememberedDestination } from "./afterSignUp";

function memory() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
}

describe("the destination kept through sign-up and email verification", () => {
  it("keeps a same-site path for the email that signed up, for a day", () => {
    const s = memory();
    rememberDestination("Ann@Example.org ", "/join/ABCD-EFGH", s, 1000);
    expect(rememberedDestination(undefined, s, 2000)).toBe("/join/ABCD-EFGH");
    expect(rememberedDestination("ann@example.org", s, 2000)).toBe("/join/ABCD-EFGH");
    expect(rememberedDestination("bob@example.org", s, 2000)).toBeNull();
    expect(rememberedDestination(undefined, s, 1000 + 25 * 3600_000)).toBeNull();
    forgetDestination(s);
    expect(rememberedDestination(undefined, s, 2000)).toBeNull();
  });

  it("never keeps another site, and ignores storage edited by hand", () => {
    const s = memory();
    for (const bad of ["https://evil.example/x", "//evil.example", "/\\evil", "", null]) {
      rememberDestination("a@b.c", bad, s, 1000);
      expect(rememberedDestination(undefined, s, 1000)).toBeNull();
    }
    s.setItem("vtp.afterSignUp", JSON.stringify({ email: "a@b.c", next: "//evil.example", at: 1000 }));
    expect(rememberedDestination(undefined, s, 1000)).toBeNull();
    s.setItem("vtp.afterSignUp", "{not json");
    expect(rememberedDestination(undefined, s, 1000)).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { forgetDestination, rememberDestination, rememberedDestination } from "./afterSignUp";

function memory() {
  const entries = new Map<string, string>();
  return {
    getItem: (key: string) => entries.get(key) ?? null,
    setItem: (key: string, value: string) => void entries.set(key, value),
    removeItem: (key: string) => void entries.delete(key),
  };
}

describe("the destination kept through sign-up and email verification", () => {
  it("keeps a same-site path for the email that signed up, for a day", () => {
    const store = memory();
    rememberDestination("Ann@Example.org ", "/join/ABCD-EFGH", store, 1000);
    expect(rememberedDestination(undefined, store, 2000)).toBe("/join/ABCD-EFGH");
    expect(rememberedDestination("ann@example.org", store, 2000)).toBe("/join/ABCD-EFGH");
    expect(rememberedDestination("bob@example.org", store, 2000)).toBeNull();
    expect(rememberedDestination(undefined, store, 1000 + 25 * 3600_000)).toBeNull();
    forgetDestination(store);
    expect(rememberedDestination(undefined, store, 2000)).toBeNull();
  });

  it("never keeps another site, and ignores storage edited by hand", () => {
    const store = memory();
    for (const bad of ["https://evil.example/x", "//evil.example", "/\\evil", "", null]) {
      rememberDestination("a@b.c", bad, store, 1000);
      expect(rememberedDestination(undefined, store, 1000)).toBeNull();
    }
    store.setItem("vtp.afterSignUp", JSON.stringify({ email: "a@b.c", next: "//evil.example", at: 1000 }));
    expect(rememberedDestination(undefined, store, 1000)).toBeNull();
    store.setItem("vtp.afterSignUp", "{not json");
    expect(rememberedDestination(undefined, store, 1000)).toBeNull();
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { storedPositiveInt } from "./storedOverride";

describe("storedPositiveInt", () => {
  const store = new Map<string, string>();
  const original = globalThis.localStorage;
  afterEach(() => {
    store.clear();
    Object.defineProperty(globalThis, "localStorage", { value: original, configurable: true });
  });
  const installStore = () => Object.defineProperty(globalThis, "localStorage", { value: { getItem: (k: string) => store.get(k) ?? null }, configurable: true });

  it("takes a positive integer and ignores anything else", () => {
    installStore();
    expect(storedPositiveInt("k", 7)).toBe(7);
    for (const bad of ["", "0", "-5", "2.5", "abc", "1e400"]) {
      store.set("k", bad);
      expect(storedPositiveInt("k", 7)).toBe(7);
    }
    store.set("k", "4000");
    expect(storedPositiveInt("k", 7)).toBe(4000);
  });

  it("falls back when storage throws (a sandboxed frame)", () => {
    Object.defineProperty(globalThis, "localStorage", {
      get() {
        throw new DOMException("denied", "SecurityError");
      },
      configurable: true,
    });
    expect(storedPositiveInt("k", 9)).toBe(9);
  });
});

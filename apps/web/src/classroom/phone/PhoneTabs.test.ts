import { describe, expect, it } from "vitest";
import { neighbourTab, PHONE_TABS } from "./PhoneTabs";

describe("phone tabs: where a swipe goes", () => {
  it("moves to the next tab leftwards and the previous one rightwards, in the tabs' order", () => {
    expect(PHONE_TABS).toEqual(["people", "chat", "materials", "polls"]);
    expect(neighbourTab("people", 1)).toBe("chat");
    expect(neighbourTab("chat", 1)).toBe("materials");
    expect(neighbourTab("materials", -1)).toBe("chat");
    expect(neighbourTab("polls", -1)).toBe("materials");
  });

  it("stops at either end, and a panel without a tab (groups) goes nowhere", () => {
    expect(neighbourTab("people", -1)).toBeNull();
    expect(neighbourTab("polls", 1)).toBeNull();
    expect(neighbourTab("breakout", 1)).toBeNull();
    expect(neighbourTab(null, 1)).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { retryWhileBusy } from "./busyRetry";
import type { MediaSignal } from "./session";

const busy = () => Object.assign(new Error("busy"), { code: "MEDIA_BUSY" });

describe("retryWhileBusy", () => {
  it("sends the same request again while the media server answers MEDIA_BUSY", async () => {
    const calls: unknown[] = [];
    let answer = 0;
    const request = (async (_event: string, payload: unknown) => {
      calls.push(payload);
      if (++answer < 3) throw busy();
      return { transportId: "t1" };
    }) as unknown as MediaSignal["request"];
    const waits: number[] = [];
    const send = retryWhileBusy(request, { sleep: async (ms) => void waits.push(ms) });
    const payload = { transportId: "t1", description: { type: "answer" as const, sdp: "v=0" } };
    await expect(send("connect-transport", payload)).resolves.toEqual({ transportId: "t1" });
    expect(calls).toEqual([payload, payload, payload]);
    expect(waits).toHaveLength(2);
    for (const ms of waits) expect(ms).toBeGreaterThanOrEqual(1000);
  });

  it("lets other errors through at once, and MEDIA_BUSY after giving up", async () => {
    const other = (async () => {
      throw Object.assign(new Error("gone"), { code: "TRANSPORT_NOT_FOUND" });
    }) as unknown as MediaSignal["request"];
    await expect(retryWhileBusy(other)("connect-transport", { transportId: "t", description: { type: "answer", sdp: "" } })).rejects.toMatchObject({
      code: "TRANSPORT_NOT_FOUND",
    });
    const always = (async () => {
      throw busy();
    }) as unknown as MediaSignal["request"];
    const send = retryWhileBusy(always, { giveUpMs: 0, sleep: async () => {} });
    await expect(send("connect-transport", { transportId: "t", description: { type: "answer", sdp: "" } })).rejects.toMatchObject({ code: "MEDIA_BUSY" });
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";
import { retryWhileBusy } from "./busyRetry";
import type { MediaSignal } from "./session";

const busy = () => Object.assign(new Error("busy"), { code: "MEDIA_BUSY" });
const answer = { transportId: "t", description: { type: "answer" as const, sdp: "" } };

/** A request the test answers: each call waits until the test resolves or rejects it. */
function controlled() {
  const calls: { event: string; resolve: (value: unknown) => void; reject: (err: unknown) => void }[] = [];
  const request = ((event: string) => new Promise((resolve, reject) => calls.push({ event, resolve, reject }))) as unknown as MediaSignal["request"];
  return { request, calls };
}

/** Lets pending promise callbacks run. */
const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe("retryWhileBusy", () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it("sends the same request again while the media server answers MEDIA_BUSY", async () => {
    const calls: unknown[] = [];
    let answered = 0;
    const request = (async (_event: string, payload: unknown) => {
      calls.push(payload);
      if (++answered < 3) throw busy();
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
    await expect(retryWhileBusy(other)("connect-transport", answer)).rejects.toMatchObject({ code: "TRANSPORT_NOT_FOUND" });
    const always = (async () => {
      throw busy();
    }) as unknown as MediaSignal["request"];
    const send = retryWhileBusy(always, { giveUpMs: 0, sleep: async () => {} });
    await expect(send("connect-transport", answer)).rejects.toMatchObject({ code: "MEDIA_BUSY" });
  });

  it("says busy at the first MEDIA_BUSY and idle once the retried request is answered", async () => {
    const log: string[] = [];
    const { request, calls } = controlled();
    const send = retryWhileBusy(request, { sleep: async () => void log.push("sleep"), onBusy: () => log.push("busy"), onIdle: () => log.push("idle") });
    const result = send("consume", { producerId: "p", transportId: "t" });
    await flush();
    calls[0].reject(busy());
    await flush();
    expect(log).toEqual(["busy", "sleep"]);
    calls[1].reject(busy());
    await flush();
    expect(log).toEqual(["busy", "sleep", "sleep"]);
    calls[2].resolve({ consumerId: "c" });
    await expect(result).resolves.toEqual({ consumerId: "c" });
    expect(log).toEqual(["busy", "sleep", "sleep", "idle"]);
  });

  it("stays busy until every waiting request is answered (one busy, one idle)", async () => {
    const log: string[] = [];
    const { request, calls } = controlled();
    const send = retryWhileBusy(request, { sleep: async () => {}, onBusy: () => log.push("busy"), onIdle: () => log.push("idle") });
    const first = send("connect-transport", answer);
    const second = send("consume", { producerId: "p", transportId: "t" });
    await flush();
    calls[0].reject(busy());
    calls[1].reject(busy());
    await flush();
    expect(log).toEqual(["busy"]);
    calls[2].resolve({});
    await first;
    expect(log).toEqual(["busy"]);
    calls[3].resolve({ consumerId: "c" });
    await second;
    expect(log).toEqual(["busy", "idle"]);
  });

  it("goes idle when it gives up, and the MEDIA_BUSY error reaches the caller", async () => {
    const log: string[] = [];
    const always = (async () => {
      throw busy();
    }) as unknown as MediaSignal["request"];
    let now = 1_000_000;
    vi.spyOn(Date, "now").mockImplementation(() => now);
    const send = retryWhileBusy(always, {
      giveUpMs: 5000,
      sleep: async (ms) => {
        now += ms;
      },
      onBusy: () => log.push("busy"),
      onIdle: () => log.push("idle"),
    });
    await expect(send("consume", { producerId: "p", transportId: "t" })).rejects.toMatchObject({ code: "MEDIA_BUSY" });
    expect(log).toEqual(["busy", "idle"]);
  });

  it("a set-up request unanswered for 2 s counts as waiting; a quick one or another request does not", async () => {
    vi.useFakeTimers();
    const log: string[] = [];
    const { request, calls } = controlled();
    const send = retryWhileBusy(request, { onBusy: () => log.push("busy"), onIdle: () => log.push("idle") });

    // Answered within 2 s: nothing to say.
    const quick = send("consume", { producerId: "p", transportId: "t" });
    await vi.advanceTimersByTimeAsync(1500);
    calls[0].resolve({ consumerId: "c" });
    await quick;
    await vi.advanceTimersByTimeAsync(5000);
    expect(log).toEqual([]);

    // Not a set-up (the gate never holds it): however long it takes.
    const other = send("leave-media", {});
    await vi.advanceTimersByTimeAsync(5000);
    calls[1].resolve({});
    await other;
    expect(log).toEqual([]);

    // Held in the gate's queue: busy after 2 s, idle once answered.
    const held = send("connect-transport", answer);
    await vi.advanceTimersByTimeAsync(1999);
    expect(log).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(log).toEqual(["busy"]);
    // Then MEDIA_BUSY and a retry: still one busy.
    calls[2].reject(busy());
    await vi.advanceTimersByTimeAsync(3000);
    expect(calls).toHaveLength(4);
    calls[3].resolve({});
    await held;
    expect(log).toEqual(["busy", "idle"]);
  });
});

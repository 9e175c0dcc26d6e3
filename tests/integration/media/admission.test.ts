/**
 * The media worker's admission gate (apps/server/src/media/admission/): transport set-ups run at
 * most `concurrency` at once, in arrival order, one at a time while the event loop runs late; a full
 * queue or a long wait answers MEDIA_BUSY; a place is given back when the set-up ends or times out.
 * The join storm itself: join-storm.test.ts.
 */
import { describe, expect, it } from "vitest";
import { AdmissionGate, LoopLag, type AdmissionSettings } from "../../../apps/server/src/media/admission/index.js";
import { sleep, waitFor } from "../../helpers/wait.js";

class FakeLag extends LoopLag {
  value = 0;
  override start(): void {}
  override get lagMs(): number {
    return this.value;
  }
}

const settings = (over: Partial<AdmissionSettings> = {}): AdmissionSettings => ({
  concurrency: 2,
  queueLength: 10,
  maxWaitMs: 5000,
  lagLimitMs: 50,
  setupTimeoutMs: 10_000,
  ...over,
});

describe("media admission gate", () => {
  it("runs at most `concurrency` set-ups at once, the others in arrival order", async () => {
    const gate = new AdmissionGate(settings(), new FakeLag());
    const order: number[] = [];
    const releases: (() => void)[] = [];
    const waits = [0, 1, 2, 3, 4].map((i) =>
      gate.admit().then((release) => {
        order.push(i);
        releases.push(release);
      }),
    );
    await waitFor("two admitted", () => order.length === 2);
    await sleep(50);
    expect(order).toEqual([0, 1]);
    expect(gate.stats()).toMatchObject({ inFlight: 2, queued: 3 });
    releases[0]();
    releases[0](); // giving a place back twice frees one place
    await waitFor("the third admitted", () => order.length === 3);
    await sleep(50);
    expect(order).toEqual([0, 1, 2]);
    for (let i = 1; i < 5; i++) {
      await waitFor(`set-up ${i + 2} admitted`, () => releases[i] !== undefined || order.length === 5);
      releases[i]();
    }
    await Promise.all(waits);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(gate.stats()).toMatchObject({ inFlight: 0, queued: 0, admitted: 5, refused: 0 });
  });

  it("runs one set-up at a time while the event loop runs later than the limit, and all again when it catches up", async () => {
    const lag = new FakeLag();
    const gate = new AdmissionGate(settings({ concurrency: 4 }), lag);
    lag.value = 200;
    // The first is admitted however late the loop runs (the lateness may not be ours: joins never stop).
    const first = await gate.admit();
    let admitted = 0;
    const waits = [0, 1].map(() =>
      gate.admit().then((release) => {
        admitted++;
        return release;
      }),
    );
    await sleep(150);
    expect(admitted).toBe(0);
    expect(gate.stats()).toMatchObject({ inFlight: 1, queued: 2 });
    expect(gate.stats().lagPauses).toBeGreaterThan(0);
    // The first ends: the next one runs, alone.
    first();
    await waitFor("the second admitted", () => admitted === 1);
    await sleep(100);
    expect(gate.stats()).toMatchObject({ inFlight: 1, queued: 1 });
    lag.value = 10;
    const releases = await Promise.all(waits);
    expect(gate.stats()).toMatchObject({ inFlight: 2, queued: 0 });
    for (const release of releases) release();
  });

  it("refuses with MEDIA_BUSY (503) when the queue is full or the wait is too long", async () => {
    const gate = new AdmissionGate(settings({ concurrency: 1, queueLength: 1, maxWaitMs: 200 }), new FakeLag());
    const first = await gate.admit();
    const waiting = gate.admit();
    await expect(gate.admit()).rejects.toMatchObject({ code: "MEDIA_BUSY", status: 503 });
    await expect(waiting).rejects.toMatchObject({ code: "MEDIA_BUSY", status: 503 });
    expect(gate.stats()).toMatchObject({ inFlight: 1, queued: 0, refused: 2 });
    first();
    const again = await gate.admit();
    again();
  });

  it("takes back the place of a set-up that never ends after setupTimeoutMs", async () => {
    const gate = new AdmissionGate(settings({ concurrency: 1, setupTimeoutMs: 200 }), new FakeLag());
    await gate.admit(); // never released by its holder
    const started = Date.now();
    const next = await gate.admit();
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    next();
  });
});

describe("event loop lag", () => {
  it("sees a blocked loop", async () => {
    const lag = new LoopLag(10);
    lag.start();
    await sleep(50);
    const end = Date.now() + 150;
    while (Date.now() < end) {
      /* block the loop */
    }
    await sleep(15);
    expect(lag.lagMs).toBeGreaterThan(80);
    expect(lag.takeMaxMs()).toBeGreaterThan(100);
    lag.stop();
  });
});

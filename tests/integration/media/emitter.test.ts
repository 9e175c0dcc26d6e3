import { afterEach, describe, expect, it } from "vitest";
import { TypedEmitter, setListenerErrorHandler, type ListenerErrorHandler } from "../../../apps/server/src/media/TypedEmitter.js";
import { Router } from "../../../apps/server/src/media/Router.js";
import { Mutex } from "../../../apps/server/src/media/Mutex.js";
import { mediaConfigFromEnv } from "../../../apps/server/src/media/config.js";
import { WeriftSink } from "../../../apps/server/src/media/rtp/WeriftSink.js";
import type { MediaEvent } from "../../../apps/server/src/media/types.js";

class Bell extends TypedEmitter<{ ring: [n: number] }> {
  ring(count: number) {
    this.emit("ring", count);
  }
}

describe("media event emitters contain listener errors", () => {
  const reported: { error: unknown; event: string; emitter: string }[] = [];
  let previous: ListenerErrorHandler | undefined;

  const captureErrors = () => {
    reported.length = 0;
    previous = setListenerErrorHandler((error, event, emitter) => reported.push({ error, event, emitter }));
  };
  afterEach(() => {
    setListenerErrorHandler(previous);
  });

  it("runs every listener when one throws, reports the error, and still removes once-listeners", () => {
    captureErrors();
    const bell = new Bell();
    const heard: string[] = [];
    bell.on("ring", (count) => heard.push(`first ${count}`));
    bell.on("ring", () => {
      throw new Error("listener failed");
    });
    bell.once("ring", (count) => heard.push(`once ${count}`));
    bell.on("ring", (count) => heard.push(`last ${count}`));

    expect(() => bell.ring(1)).not.toThrow();
    bell.ring(2);

    expect(heard).toEqual(["first 1", "once 1", "last 1", "first 2", "last 2"]);
    expect(reported).toHaveLength(2);
    expect(reported[0]).toMatchObject({ event: "ring", emitter: "Bell" });
    expect((reported[0]!.error as Error).message).toBe("listener failed");
  });

  it("a throwing transport close listener does not stop a router's close cascade", async () => {
    captureErrors();
    const config = mediaConfigFromEnv({}, { workers: 1, workerMode: "inline", rtcMinPort: 47100, rtcMaxPort: 47199 });
    const router = new Router({
      roomId: "room-1",
      workerId: "w0",
      config,
      pcConfig: {},
      gatherLock: new Mutex(),
      makeSink: (transceiver) => new WeriftSink(transceiver.sender),
    });
    const events: MediaEvent[] = [];
    router.on("event", (event) => events.push(event));
    let routerClosed = false;
    router.once("close", () => {
      throw new Error("a careless observer of the room");
    });
    router.once("close", () => (routerClosed = true));

    router.join("peer-a", "user-a");
    router.join("peer-b", "user-b");
    const first = router.createTransport("peer-a", "send");
    const second = router.createTransport("peer-b", "recv");
    first.once("close", () => {
      throw new Error("a careless observer of the transport");
    });

    expect(() => router.close()).not.toThrow();

    expect(first.closed).toBe(true);
    expect(second.closed).toBe(true);
    expect(routerClosed).toBe(true);
    const closedTransports = events.filter((e) => e.type === "transport-closed").map((e) => (e as { transportId: string }).transportId);
    expect(closedTransports.sort()).toEqual([first.id, second.id].sort());
    expect(events.at(-1)).toMatchObject({ type: "room-closed", roomId: "room-1" });
    expect(router.summary()).toMatchObject({ peers: 0, producers: 0, consumers: 0 });
    expect(reported.map((r) => `${r.emitter} ${r.event}`)).toEqual(["Transport close", "Router close"]);
  });
});

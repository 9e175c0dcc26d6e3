import { MessageChannel } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import { AppError } from "../../../apps/server/src/errors/index.js";
import { ChannelClient, serveChannel, type ChannelCore } from "../../../apps/server/src/media/worker/Channel.js";
import { MEDIA_METHODS, describeMethod } from "../../../apps/server/src/media/rpc/table.js";
import { ThreadLogger } from "../../../apps/server/src/media/log.js";
import type { MediaMethod } from "../../../apps/server/src/media/MediaService.js";
import { SAMPLES, captureLogger, recordingMedia } from "./helpers/rpc-samples.js";

/**
 * The worker channel answers only the media RPC table's methods, with arguments that match their
 * schemas; a dead worker's calls fail with MEDIA_UNAVAILABLE; worker log records reach the main
 * thread's logger. Both ends over a real MessagePort, with a recording core in place of WorkerCore.
 */
describe("media worker channel", () => {
  const closers: (() => void)[] = [];
  afterEach(() => {
    for (const c of closers.splice(0)) c();
  });

  async function open(core: Partial<ChannelCore> = {}) {
    const { media, calls } = recordingMedia();
    const worker = captureLogger();
    const main = captureLogger();
    const { port1, port2 } = new MessageChannel();
    serveChannel(port2, { ...media, ...core } as ChannelCore, worker.log);
    const client = new ChannelClient(port1, () => {}, main.log);
    closers.push(() => {
      port1.close();
      port2.close();
    });
    await client.ready;
    const raw = (method: string, args: unknown[]) => client.request(method as MediaMethod, args as never) as Promise<unknown>;
    return { client, raw, calls, workerLog: worker.records, mainLog: main.records, port2 };
  }

  const failure = (status: number, code: string) => expect.objectContaining({ status, code });

  it("refuses a method that is not in the table, whatever the core has", async () => {
    const { raw, calls } = await open();
    for (const name of ["dropAllRooms", "onEvent", "constructor", "toString", "__proto__", "routers"]) {
      await expect(raw(name, []), name).rejects.toEqual(failure(400, "BAD_REQUEST"));
    }
    expect(calls).toEqual([]);
  });

  it("passes every method of the table with valid arguments to the core, and its result back", async () => {
    const { raw, calls } = await open();
    for (const method of MEDIA_METHODS) {
      expect(await raw(method, SAMPLES[method].args), method).toEqual(SAMPLES[method].result);
    }
    expect(calls.map((c) => c.method)).toEqual(MEDIA_METHODS);
    expect(calls.map((c) => c.args)).toEqual(MEDIA_METHODS.map((m) => SAMPLES[m].args));
  });

  it("refuses a bad value in any parameter of any method with its code, before the core sees it", async () => {
    const { raw, calls } = await open();
    let checked = 0;
    for (const method of MEDIA_METHODS) {
      const params = describeMethod(method).params;
      for (let i = 0; i < params.length; i++) {
        for (const bad of [12345, ["x"], "bad id!"]) {
          const args: unknown[] = [...SAMPLES[method].args];
          args[i] = bad;
          // A string is bad only where an id or a name from a list is expected.
          if (
            typeof bad === "string" &&
            !["roomId", "peerId", "userId", "transportId", "producerId", "consumerId", "direction", "layer"].includes(params[i].name)
          )
            continue;
          await expect(raw(method, args), `${method} ${params[i].name}=${JSON.stringify(bad)}`).rejects.toEqual(
            failure(400, params[i].code ?? "VALIDATION_FAILED"),
          );
          checked++;
        }
      }
      if (params.some((p) => !p.optional)) {
        await expect(raw(method, []), `${method} without arguments`).rejects.toEqual(failure(400, "VALIDATION_FAILED"));
      }
      await expect(raw(method, [...SAMPLES[method].args, "extra", "more"].slice(0, params.length + 1)), `${method} + extra`).rejects.toEqual(
        failure(400, "VALIDATION_FAILED"),
      );
    }
    expect(checked).toBeGreaterThan(40);
    expect(calls).toEqual([]);
  });

  it("names the field in the error", async () => {
    const { raw } = await open();
    const err = (await raw("produce", ["r-1", "teacher", { transportId: "t-1", kind: "video", source: "webcam" }]).catch((error) => error)) as AppError;
    expect(err.message).toContain("source");
    expect(err.details).toEqual([{ field: "source", problem: expect.stringContaining("camera") }]);
    const sdp = (await raw("connectTransport", ["r-1", "p", "t", { type: "offer" }]).catch((error) => error)) as AppError;
    expect(sdp.code).toBe("INVALID_SDP");
    expect(sdp.message).toContain("description.sdp");
  });

  it("fails calls in flight and every later call with MEDIA_UNAVAILABLE once the worker is gone", async () => {
    const { client, raw } = await open({ getRoom: () => new Promise(() => {}) });
    const inFlight = raw("getRoom", ["r-1"]);
    await expect.poll(() => client.pendingCount).toBe(1);
    client.failAll(new AppError("MEDIA_UNAVAILABLE", "Media worker w0 stopped"));
    await expect(inFlight).rejects.toEqual(failure(503, "MEDIA_UNAVAILABLE"));
    await expect(raw("health", [])).rejects.toEqual(failure(503, "MEDIA_UNAVAILABLE"));
    expect(client.pendingCount).toBe(0);
  });

  it("logs an unexpected error of the core with its stack and answers INTERNAL_ERROR", async () => {
    const { raw, workerLog } = await open({
      stats: async () => {
        throw new TypeError("cannot read x of undefined");
      },
    });
    await expect(raw("stats", [])).rejects.toEqual(failure(500, "INTERNAL_ERROR"));
    expect(workerLog).toEqual([
      { level: "error", obj: { err: expect.objectContaining({ message: "cannot read x of undefined" }), method: "stats" }, msg: "media request failed" },
    ]);
    // An AppError is an answer, not a failure of the worker: not logged.
    const { raw: raw2, workerLog: log2 } = await open({
      getRoom: async () => {
        throw new AppError("ROOM_NOT_FOUND", "No media room");
      },
    });
    await expect(raw2("getRoom", ["r-1"])).rejects.toEqual(failure(404, "ROOM_NOT_FOUND"));
    expect(log2).toEqual([]);
  });

  it("brings a worker thread's log records, above its level, to the main thread's logger", async () => {
    const { port2, mainLog } = await open();
    const threadLog = new ThreadLogger((record) => port2.postMessage({ log: record }), "info", { workerId: "w3" });
    threadLog.debug({ detail: 1 }, "not at info");
    threadLog.child({ roomId: "r-1" }).error({ err: new Error("boom") }, "a listener threw");
    await expect.poll(() => mainLog.length).toBe(1);
    expect(mainLog[0]).toEqual({
      level: "error",
      obj: { workerId: "w3", roomId: "r-1", err: expect.objectContaining({ type: "Error", message: "boom", stack: expect.stringContaining("boom") }) },
      msg: "a listener threw",
    });
  });
});

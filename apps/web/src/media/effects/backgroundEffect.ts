import wasmBinary from "@mediapipe/tasks-vision/vision_wasm_module_internal.wasm?url";
import wasmLoader from "@mediapipe/tasks-vision/vision_wasm_module_internal.js?url";
import model from "@mediapipe/selfie_segmentation/selfie_segmentation.tflite?url";
import type { BackgroundSpec } from "./backgrounds";
import type { WorkerReply, WorkerRequest } from "./workerMessages";

// Chromium's insertable streams for video (not in TypeScript's DOM library yet).
declare class MediaStreamTrackProcessor {
  constructor(init: { track: MediaStreamTrack });
  readonly readable: ReadableStream<VideoFrame>;
}
declare class MediaStreamTrackGenerator extends MediaStreamTrack {
  constructor(init: { kind: "video" });
  readonly writable: WritableStream<VideoFrame>;
}

export type EffectStats = Omit<Extract<WorkerReply, { type: "stats" }>, "type">;

/** Why the background effect cannot run in this browser, or null when it can. */
export function backgroundUnsupported(): string | null {
  const scope = globalThis as unknown as Record<string, unknown>;
  if (typeof scope.MediaStreamTrackProcessor !== "function" || typeof scope.MediaStreamTrackGenerator !== "function")
    return "This browser cannot process camera video (no insertable streams)";
  if (typeof scope.OffscreenCanvas !== "function" || typeof scope.VideoFrame !== "function") return "This browser has no OffscreenCanvas";
  return null;
}

/**
 * A camera track with its background blurred or replaced (segmenter.worker.ts does the work, off
 * the main thread). `output` is the track to show and publish; `ready` rejects (with the reason)
 * when the effect cannot start, and the owner then goes back to the camera's own track.
 */
export class BackgroundEffect {
  readonly output: MediaStreamTrack;
  readonly ready: Promise<void>;
  private readonly worker: Worker;
  private readonly input: MediaStreamTrack;
  private statsWaiter: ((stats: EffectStats) => void) | null = null;
  private failed: ((message: string) => void) | null = null;

  constructor(camera: MediaStreamTrack, background: BackgroundSpec, image: ImageBitmap | null) {
    const unsupported = backgroundUnsupported();
    if (unsupported) throw new Error(unsupported);
    // A clone: stopping the effect never stops the camera the rest of the page uses.
    this.input = camera.clone();
    const processor = new MediaStreamTrackProcessor({ track: this.input });
    const generator = new MediaStreamTrackGenerator({ kind: "video" });
    this.output = generator;
    this.worker = new Worker(new URL("./segmenter.worker.ts", import.meta.url), { type: "module", name: "vtp-background" });
    this.ready = new Promise<void>((resolve, reject) => {
      this.failed = (message) => reject(new Error(message));
      this.worker.onmessage = (event: MessageEvent<WorkerReply>) => {
        const reply = event.data;
        if (reply.type === "ready") resolve();
        else if (reply.type === "error") this.failed?.(reply.message);
        else if (reply.type === "stats") {
          this.statsWaiter?.(reply);
          this.statsWaiter = null;
        }
      };
      this.worker.onerror = (event) => this.failed?.(event.message || "the background worker failed");
    });
    this.ready.catch(() => {});
    const assets = { wasmLoader: absolute(wasmLoader), wasmBinary: absolute(wasmBinary), model: absolute(model) };
    const start: WorkerRequest = { type: "start", readable: processor.readable, writable: generator.writable, assets, background, image };
    this.worker.postMessage(start, [processor.readable, generator.writable, ...(image ? [image] : [])] as Transferable[]);
  }

  /** Later errors (after `ready`) are reported here. */
  onFailure(listener: (message: string) => void) {
    void this.ready.then(() => {
      this.failed = listener;
    });
  }

  setBackground(background: BackgroundSpec, image: ImageBitmap | null) {
    const message: WorkerRequest = { type: "background", background, image };
    this.worker.postMessage(message, image ? [image] : []);
  }

  /** Frames processed, the average time per frame (the added delay) and the frame rate since the last reset. */
  stats(reset = false): Promise<EffectStats> {
    return new Promise((resolve) => {
      this.statsWaiter = resolve;
      this.worker.postMessage({ type: "stats", reset } satisfies WorkerRequest);
    });
  }

  stop() {
    this.worker.postMessage({ type: "stop" } satisfies WorkerRequest);
    this.input.stop();
    this.output.stop();
    // Let the worker close its segmenter, then end it.
    setTimeout(() => this.worker.terminate(), 1000);
  }
}

/** The worker imports the loader from its own URL: make the paths absolute on our origin. */
function absolute(url: string): string {
  return new URL(url, globalThis.location.href).href;
}

import type { BackgroundSpec } from "./backgrounds";

/** The segmentation worker's runtime files, all from our own origin (Vite emits them under /assets/). */
export interface SegmenterAssets {
  wasmLoader: string;
  wasmBinary: string;
  model: string;
}

export type WorkerRequest =
  | {
      type: "start";
      readable: ReadableStream<VideoFrame>;
      writable: WritableStream<VideoFrame>;
      assets: SegmenterAssets;
      background: BackgroundSpec;
      image?: ImageBitmap | null;
    }
  | { type: "background"; background: BackgroundSpec; image?: ImageBitmap | null }
  | { type: "stats"; reset?: boolean }
  | { type: "stop" };

export type WorkerReply =
  | { type: "ready" }
  | { type: "error"; message: string }
  /** Per processed frame: the whole effect and the segmentation part (ms), and frames per second. */
  | { type: "stats"; frames: number; averageMs: number; segmentMs: number; fps: number };

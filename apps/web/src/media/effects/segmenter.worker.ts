/// <reference lib="webworker" />
import { ImageSegmenter } from "@mediapipe/tasks-vision";
import type { BackgroundSpec } from "./backgrounds";
import { withNormalization } from "./modelMetadata";
import type { WorkerReply, WorkerRequest } from "./workerMessages";

/**
 * The background effect, off the main thread: reads the camera's frames (a transferred
 * MediaStreamTrackProcessor stream), finds the person with MediaPipe's selfie segmentation
 * (WebAssembly on the CPU), draws the person over a blurred copy of the frame or over an image,
 * and writes the new frame to the generator the page publishes. One frame at a time: while a
 * frame is processed the camera's newer frames replace the waiting one (the frame rate drops on a
 * slow device, the delay does not grow).
 */
const scope = self as unknown as DedicatedWorkerGlobalScope;
/** The mask's size: the model sees 256×256 anyway; a small input keeps the copy and the mask cheap. */
const MASK_WIDTH = 256;
const MASK_HEIGHT = 144;
/** Blur radius in pixels of a 640-wide frame. */
const BLUR = { light: 5, strong: 12 };

let background: BackgroundSpec = { kind: "blur", strength: "light" };
let image: ImageBitmap | null = null;
let stopped = false;
const stats = { frames: 0, totalMs: 0, segmentMs: 0, firstAt: 0, lastAt: 0 };

function reply(message: WorkerReply) {
  scope.postMessage(message);
}

scope.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const message = event.data;
  if (message.type === "start") void start(message);
  else if (message.type === "background") {
    background = message.background;
    image?.close();
    image = message.image ?? null;
  } else if (message.type === "stats") {
    const seconds = (stats.lastAt - stats.firstAt) / 1000;
    reply({
      type: "stats",
      frames: stats.frames,
      averageMs: stats.frames ? stats.totalMs / stats.frames : 0,
      segmentMs: stats.frames ? stats.segmentMs / stats.frames : 0,
      fps: seconds > 0 ? (stats.frames - 1) / seconds : 0,
    });
    if (message.reset) Object.assign(stats, { frames: 0, totalMs: 0, segmentMs: 0, firstAt: 0, lastAt: 0 });
  } else if (message.type === "stop") stopped = true;
};

async function start(message: Extract<WorkerRequest, { type: "start" }>) {
  background = message.background;
  image = message.image ?? null;
  let segmenter: ImageSegmenter;
  try {
    const response = await fetch(message.assets.model);
    if (!response.ok) throw new Error(`the segmentation model could not be loaded (HTTP ${response.status})`);
    const model = withNormalization(new Uint8Array(await response.arrayBuffer()));
    segmenter = await ImageSegmenter.createFromOptions(
      { wasmLoaderPath: message.assets.wasmLoader, wasmBinaryPath: message.assets.wasmBinary },
      {
        baseOptions: { modelAssetBuffer: model, delegate: "CPU" },
        runningMode: "VIDEO",
        outputConfidenceMasks: true,
        outputCategoryMask: false,
        canvas: new OffscreenCanvas(1, 1),
      },
    );
  } catch (err) {
    reply({ type: "error", message: err instanceof Error ? err.message : String(err) });
    return;
  }
  reply({ type: "ready" });
  const reader = message.readable.getReader();
  const writer = message.writable.getWriter();
  const small = new OffscreenCanvas(MASK_WIDTH, MASK_HEIGHT);
  const smallCtx = small.getContext("2d", { willReadFrequently: true }) as OffscreenCanvasRenderingContext2D;
  const mask = new OffscreenCanvas(MASK_WIDTH, MASK_HEIGHT);
  const maskCtx = mask.getContext("2d") as OffscreenCanvasRenderingContext2D;
  const maskPixels = new ImageData(MASK_WIDTH, MASK_HEIGHT);
  const output = new OffscreenCanvas(2, 2);
  const outCtx = output.getContext("2d") as OffscreenCanvasRenderingContext2D;
  const blurred = new OffscreenCanvas(2, 2);
  const blurCtx = blurred.getContext("2d") as OffscreenCanvasRenderingContext2D;
  let lastTimestamp = -1;
  try {
    while (!stopped) {
      const { value: frame, done } = await reader.read();
      if (done || !frame) break;
      const began = performance.now();
      const width = frame.displayWidth;
      const height = frame.displayHeight;
      if (output.width !== width || output.height !== height) {
        output.width = width;
        output.height = height;
        blurred.width = Math.max(1, Math.round(width / 4));
        blurred.height = Math.max(1, Math.round(height / 4));
      }
      // 1. The person: a confidence mask from a small copy of the frame.
      smallCtx.drawImage(frame, 0, 0, MASK_WIDTH, MASK_HEIGHT);
      const timestamp = Math.max(lastTimestamp + 1, Math.round(frame.timestamp / 1000));
      lastTimestamp = timestamp;
      segmenter.segmentForVideo(small, timestamp, (result) => {
        const confidence = result.confidenceMasks?.[0]?.getAsFloat32Array();
        if (!confidence) return;
        const data = maskPixels.data;
        for (let i = 0; i < confidence.length; i++) data[i * 4 + 3] = Math.min(255, Math.max(0, ((confidence[i] ?? 0) - 0.25) * 510));
      });
      const segmented = performance.now();
      maskCtx.putImageData(maskPixels, 0, 0);
      // 2. The person alone: the mask (softened at its edge), then the frame inside it.
      outCtx.globalCompositeOperation = "copy";
      outCtx.filter = "blur(2px)";
      outCtx.drawImage(mask, 0, 0, width, height);
      outCtx.filter = "none";
      outCtx.globalCompositeOperation = "source-in";
      outCtx.drawImage(frame, 0, 0, width, height);
      // 3. Behind the person: the frame blurred (at a quarter of its size, then scaled up), or the image.
      outCtx.globalCompositeOperation = "destination-over";
      if (background.kind === "blur") {
        const radius = (BLUR[background.strength] * width) / 640 / 4;
        blurCtx.filter = `blur(${radius.toFixed(1)}px)`;
        blurCtx.drawImage(frame, 0, 0, blurred.width, blurred.height);
        outCtx.drawImage(blurred, 0, 0, width, height);
      } else if (image) drawCover(outCtx, image, width, height);
      else {
        outCtx.fillStyle = "#334";
        outCtx.fillRect(0, 0, width, height);
      }
      outCtx.globalCompositeOperation = "source-over";
      const processed = new VideoFrame(output, { timestamp: frame.timestamp });
      frame.close();
      await writer.write(processed);
      const ended = performance.now();
      stats.frames++;
      stats.totalMs += ended - began;
      stats.segmentMs += segmented - began;
      if (!stats.firstAt) stats.firstAt = ended;
      stats.lastAt = ended;
    }
  } catch (err) {
    if (!stopped) reply({ type: "error", message: err instanceof Error ? err.message : String(err) });
  } finally {
    segmenter.close();
    reader.releaseLock();
    await writer.close().catch(() => {});
  }
}

/** The image scaled to cover the frame, centred. */
function drawCover(ctx: OffscreenCanvasRenderingContext2D, picture: ImageBitmap, width: number, height: number) {
  const scale = Math.max(width / picture.width, height / picture.height);
  const drawnWidth = picture.width * scale;
  const drawnHeight = picture.height * scale;
  ctx.drawImage(picture, (width - drawnWidth) / 2, (height - drawnHeight) / 2, drawnWidth, drawnHeight);
}

import { mkdirSync } from "node:fs";
import path from "node:path";
import { createCanvas, type SKRSContext2D } from "@napi-rs/canvas";
import { BOARD_WHITEBOARD, type BoardElement, type RecordingBoardResponse } from "@vtp/protocol";
import { drawElement, elementBounds } from "./draw.js";
import { FrameWriter } from "./frames.js";
import { PdfPages } from "./pdf.js";
import { BoardTimeline, boardSpans, type BoardSpan, type PointerDot } from "./timeline.js";

export const BOARD_FRAME = { width: 1280, height: 720 };
/** Frames per second of the board video (strokes appear in 100 ms steps). */
export const BOARD_FPS = 10;
/** Around a document's page (a page of another shape than 16:9). */
const BACKDROP = "#2b2b2f";
/** The whiteboard's scene shown at least: (0,0)–(1280,720), widened to hold every element of the page. */
const WHITEBOARD_VIEW = { minX: 0, minY: 0, maxX: 1280, maxY: 720 };

/** The board of a recording as a video file: where it lies on the recording's clock and when it is on the stage. */
export interface BoardVideo {
  file: string;
  /** The video's first frame is at this offset of the recording. */
  startMs: number;
  spans: BoardSpan[];
  frames: number;
  redrawn: number;
}

/** Scene → frame: a uniform scale and an offset. */
interface View {
  scale: number;
  left: number;
  top: number;
}

/** The whiteboard's view of a page: the default scene widened to the page's elements, fitted and centred. */
export function whiteboardView(elements: BoardElement[], frame = BOARD_FRAME): View {
  const box = { ...WHITEBOARD_VIEW };
  for (const element of elements) {
    const bounds = elementBounds(element);
    if (!bounds) continue;
    box.minX = Math.min(box.minX, bounds.minX);
    box.minY = Math.min(box.minY, bounds.minY);
    box.maxX = Math.max(box.maxX, bounds.maxX);
    box.maxY = Math.max(box.maxY, bounds.maxY);
  }
  const scale = Math.min(frame.width / (box.maxX - box.minX), frame.height / (box.maxY - box.minY));
  return {
    scale,
    left: (frame.width - (box.maxX - box.minX) * scale) / 2 - box.minX * scale,
    top: (frame.height - (box.maxY - box.minY) * scale) / 2 - box.minY * scale,
  };
}

function drawPointers(ctx: SKRSContext2D, dots: PointerDot[], view: View): void {
  for (const dot of dots) {
    const left = view.left + dot.x * view.scale;
    const top = view.top + dot.y * view.scale;
    ctx.beginPath();
    ctx.arc(left, top, 14, 0, Math.PI * 2);
    ctx.fillStyle = "rgba(255, 0, 0, 0.3)";
    ctx.fill();
    ctx.beginPath();
    ctx.arc(left, top, 7, 0, Math.PI * 2);
    ctx.fillStyle = "#ff1a1a";
    ctx.fill();
  }
}

/**
 * Draws what the board shows at this moment of the timeline: the document's page (pdf.js) or a
 * white whiteboard page, the page's elements over it in scene coordinates, the laser pointers.
 */
export async function drawBoard(ctx: SKRSContext2D, timeline: BoardTimeline, pdf: PdfPages, t: number, frame = BOARD_FRAME): Promise<void> {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.globalAlpha = 1;
  const { surfaceId, page } = timeline.stage;
  if (!surfaceId) {
    ctx.fillStyle = "#000000";
    ctx.fillRect(0, 0, frame.width, frame.height);
    return;
  }
  const elements = timeline.shownElements();
  let view: View;
  if (surfaceId === BOARD_WHITEBOARD) {
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, frame.width, frame.height);
    view = whiteboardView(elements, frame);
  } else {
    ctx.fillStyle = BACKDROP;
    ctx.fillRect(0, 0, frame.width, frame.height);
    const rendered = await pdf.page(surfaceId, page);
    if (rendered) {
      ctx.drawImage(rendered.image, rendered.left, rendered.top);
      view = { scale: rendered.scale, left: rendered.left, top: rendered.top };
    } else {
      // The document is gone or unreadable: its drawings on a white page of the frame's shape.
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, frame.width, frame.height);
      view = whiteboardView(elements, frame);
    }
  }
  ctx.save();
  ctx.beginPath();
  ctx.rect(0, 0, frame.width, frame.height);
  ctx.clip();
  ctx.setTransform(view.scale, 0, 0, view.scale, view.left, view.top);
  for (const element of elements) drawElement(ctx, element);
  ctx.restore();
  drawPointers(ctx, timeline.shownPointers(t), view);
}

/**
 * Renders the board of a recording to a video file: the board history (the stage at the start,
 * the pages' elements, the ops at their offsets) replayed frame by frame at BOARD_FPS from the
 * first moment the board was on the stage to the last; a frame is redrawn only when something
 * shown changed (the same pixels are sent again otherwise). Undefined when the board was never on
 * the stage during the recording (no file, no cost).
 */
export async function renderBoardVideo(opts: {
  board: RecordingBoardResponse;
  durationMs: number;
  pdfOf: (surfaceId: string) => Promise<Uint8Array | undefined>;
  /** The documents, kept open by the caller across several renders (it closes them); default: opened and closed here. */
  pdf?: PdfPages;
  ffmpeg: string;
  output: string;
  fps?: number;
  /** Only this span of the recording's clock (a window composed while the class runs). */
  window?: { fromMs: number; toMs: number };
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  onPdfError?: (surfaceId: string, err: unknown) => void;
}): Promise<BoardVideo | undefined> {
  const window = opts.window ?? { fromMs: 0, toMs: opts.durationMs };
  const spans = boardSpans(opts.board, opts.durationMs).filter((span) => span.startMs < window.toMs && span.endMs > window.fromMs);
  if (spans.length === 0) return undefined;
  const fps = opts.fps ?? BOARD_FPS;
  const startMs = Math.max(window.fromMs, spans[0].startMs);
  const endMs = Math.min(window.toMs, spans[spans.length - 1].endMs);
  const frames = Math.max(1, Math.ceil(((endMs - startMs) * fps) / 1000));
  mkdirSync(path.dirname(opts.output), { recursive: true });
  const timeline = new BoardTimeline(opts.board);
  const pdf = opts.pdf ?? new PdfPages(opts.pdfOf, BOARD_FRAME, opts.onPdfError);
  const canvas = createCanvas(BOARD_FRAME.width, BOARD_FRAME.height);
  const ctx = canvas.getContext("2d");
  const writer = new FrameWriter(opts.ffmpeg, { ...BOARD_FRAME, fps, output: opts.output, signal: opts.signal });
  let pixels: Buffer | undefined;
  let redrawn = 0;
  try {
    for (let k = 0; k < frames; k++) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error("aborted");
      const at = startMs + (k * 1000) / fps;
      if (timeline.advance(at) || !pixels) {
        await drawBoard(ctx, timeline, pdf, at);
        // The surface's own pixels (RGBA, premultiplied: the frame is opaque, so the same), copied:
        // the canvas is drawn on again while FFmpeg may still be reading this frame.
        pixels = Buffer.from(canvas.data());
        redrawn++;
      }
      await writer.write(pixels);
      if (k % (fps * 10) === 0) opts.onProgress?.(k / frames);
    }
    await writer.finish();
  } catch (err) {
    writer.kill();
    throw err;
  } finally {
    if (!opts.pdf) await pdf.close();
  }
  return { file: opts.output, startMs, spans, frames, redrawn };
}

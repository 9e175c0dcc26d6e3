/**
 * The class board in the composed recording: its history replayed and drawn on the server
 * (pdf.js + a Skia canvas + perfect-freehand, frames piped into FFmpeg), no browser involved.
 */
export { renderBoardVideo, drawBoard, whiteboardView, BOARD_FPS, BOARD_FRAME, type BoardVideo } from "./render.js";
export { BoardTimeline, boardSpans, POINTER_SHOWN_MS, type BoardSpan } from "./timeline.js";
export { drawElement, freedrawOutline } from "./draw.js";
export { PdfPages } from "./pdf.js";
export { boardRecordSource, type MaterialFiles } from "./source.js";

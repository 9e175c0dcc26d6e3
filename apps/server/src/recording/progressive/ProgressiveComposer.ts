import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createReadStream, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import { composeGraph, type ComposeBoard, type ComposeInput } from "../compose.js";
import { lowerPriority, runFfmpeg } from "../ffmpeg.js";
import type { BoardRecordSource } from "../ports.js";
import { BOARD_FRAME, boardSpans, PdfPages, renderBoardVideo } from "../board/index.js";
import { audioEncoderArgs, GOP_SECONDS, windowArgs } from "./args.js";
import { MANIFEST, type ProgressiveManifest, type ManifestWindow } from "./manifest.js";
import type { ComposeSlots } from "./slots.js";

/** At Stop, at most this much of the class is left to compose here; more goes to the after-class pass. */
const MAX_TAIL_MS = 60_000;

/** What the composer reads of the capture: the parts so far, the recording's clock, whether the captures are caught up. */
export interface ProgressiveSource {
  inputs(): ComposeInput[];
  /** ms since the recording's start (-1 before it). */
  clock(): number;
  /** True when every capture's FFmpeg has taken all the packets sent to it (what is on disk is up to date). */
  caughtUp(): boolean;
}

export interface ProgressiveOptions {
  ffmpeg: string;
  /** Where the windows and the manifest go (inside the recording's capture directory). */
  dir: string;
  log: Logger;
  hostId: string | null;
  /** The class board (absent: a group's recording, or no board module). */
  board?: { source: BoardRecordSource; roomId: string; startedAt: () => Date };
  /** Window length (default 4 s; a multiple of the key-frame interval). */
  windowMs?: number;
  /** A window is composed this long after its end (the captures write what they receive within it). */
  lagMs?: number;
  /** Longest span one FFmpeg composes when catching up. */
  maxWindowMs?: number;
  /** Shared by the server's composers: how many windows are composed at once. */
  slots: ComposeSlots;
}

/**
 * Composes a recording while the class runs (issue 13 §3): every few seconds the span of the
 * recording's clock that the captures have written is composed (recording/compose.ts's layout, in
 * the window's own time) into 720p and 360p H.264 pieces, and its sound is fed to one AAC encoder
 * for the whole class. At Stop only the last seconds are left; the Processor then joins the pieces
 * without encoding (progressive/stitch.ts). Any failure gives up quietly: the Processor then
 * composes the whole recording after class as before.
 */
export class ProgressiveComposer {
  private readonly windowMs: number;
  private readonly lagMs: number;
  private readonly windows: ManifestWindow[] = [];
  /** Composed up to here, on the recording's clock. */
  private doneMs = 0;
  private timer?: NodeJS.Timeout;
  private working?: Promise<void>;
  private encoder?: ChildProcess;
  private encoderExit?: Promise<number | null>;
  private failed = false;
  /** Attempts at the current window that failed (its files were not readable yet, say); three give up. */
  private failures = 0;
  private halted = false;
  /** When the board was first on the stage (undefined: not yet), and its documents, kept for the whole class. */
  private boardFirstMs?: number;
  private pdf?: PdfPages;
  private readonly abort = new AbortController();
  /** Windows composed and the wall time they took (logged at the end). */
  readonly cost = { windows: 0, wallMs: 0 };

  constructor(
    private readonly source: ProgressiveSource,
    private readonly opts: ProgressiveOptions,
  ) {
    this.windowMs = opts.windowMs ?? GOP_SECONDS * 1000;
    this.lagMs = opts.lagMs ?? 3000;
    mkdirSync(opts.dir, { recursive: true });
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), 1000);
    this.timer.unref();
  }

  /** Where the captured media is complete up to, in whole windows (the lag behind the clock). */
  private readyMs(): number {
    const ready = Math.floor((this.source.clock() - this.lagMs) / this.windowMs) * this.windowMs;
    return Math.min(ready, this.doneMs + (this.opts.maxWindowMs ?? 60_000));
  }

  private tick() {
    if (this.working || this.failed) return;
    const to = this.readyMs();
    if (to <= this.doneMs || !this.source.caughtUp()) return;
    // Waiting for a slot, the class went on: the window grows with it (not past a stop, which halts).
    const until = () => (this.halted ? to : Math.max(to, this.readyMs()));
    this.working = this.opts.slots.run(() => this.compose(this.doneMs, until(), false)).finally(() => (this.working = undefined));
  }

  /**
   * The class stopped at `durationMs` and every capture has written its file: the rest is
   * composed, the sound encoder finishes, the manifest is written. False when the composer gave
   * up (the Processor composes after class).
   */
  async finish(durationMs: number): Promise<boolean> {
    this.halt();
    const stopping = performance.now();
    await this.working;
    const behindMs = durationMs - this.doneMs;
    if (this.doneMs > durationMs) this.giveUp(new Error(`composed to ${this.doneMs} ms, past the stop at ${durationMs} ms`));
    // Far behind (a machine too busy for it during the class): the after-class pass does the rest as well.
    if (behindMs > MAX_TAIL_MS) this.giveUp(new Error(`${Math.round(behindMs / 1000)} s of the class were not composed yet at Stop`));
    while (!this.failed && durationMs > this.doneMs) await this.opts.slots.run(() => this.compose(this.doneMs, durationMs, true));
    if (this.failed) return this.close(false);
    try {
      this.encoder?.stdin?.end();
      const code = this.encoder ? await this.encoderExit : 0;
      if (code !== 0) throw new Error(`the sound encoder ended with ${code}`);
      void this.pdf?.close();
      const manifest: ProgressiveManifest = { version: 1, durationMs, audio: "audio.m4a", windows: this.windows };
      writeFileSync(path.join(this.opts.dir, MANIFEST), JSON.stringify(manifest));
      this.opts.log.info(
        {
          durationMs,
          windows: this.windows.length,
          composeMs: Math.round(this.cost.wallMs),
          behindAtStopMs: behindMs,
          finishMs: Math.round(performance.now() - stopping),
        },
        "recording composed during the class",
      );
      return true;
    } catch (err) {
      this.giveUp(err);
      return false;
    }
  }

  /** The class is stopping: no window is started any more until finish() composes the rest. */
  halt(): void {
    this.halted = true;
    clearInterval(this.timer);
  }

  /** The recording is gone (deleted, or its capture failed): stop whatever runs. */
  cancel(): void {
    clearInterval(this.timer);
    this.failed = true;
    this.abort.abort();
    this.encoder?.kill("SIGKILL");
    void this.pdf?.close();
  }

  private close(ok: boolean) {
    this.encoder?.kill("SIGKILL");
    void this.pdf?.close();
    return ok;
  }

  private giveUp(err: unknown) {
    if (this.failed) return;
    this.failed = true;
    this.opts.log.warn({ err: err instanceof Error ? err.message : String(err) }, "composing during the class stopped; the recording is composed after class");
    this.encoder?.kill("SIGKILL");
  }

  private async compose(fromMs: number, toMs: number, final: boolean): Promise<void> {
    if (this.failed) return;
    const started = performance.now();
    const windowNo = this.windows.length + 1;
    const name = (suffix: string) => `w${String(windowNo).padStart(5, "0")}${suffix}`;
    const files = { v720: name("-720.ts"), v360: name("-360.ts"), pcm: name(".pcm") };
    const at = (file: string) => path.join(this.opts.dir, file);
    try {
      const board = await this.boardFor(fromMs, toMs, at(name("-board.mp4")));
      if (this.failed) return;
      const graph = composeGraph(this.source.inputs(), {
        hostId: this.opts.hostId,
        window: { fromMs, toMs },
        board,
        firstShareMs: this.boardFirstMs,
        // Parts still open while the class runs hold their last frame; at the end every part has its end.
        progressive: true,
      });
      await runFfmpeg(this.opts.ffmpeg, ["-loglevel", "error", ...windowArgs(graph, { v720: at(files.v720), v360: at(files.v360), pcm: at(files.pcm) })], {
        signal: this.abort.signal,
        nice: final ? 0 : 10,
      });
      if (board) rmSync(board.file, { force: true });
      await this.feedSound(at(files.pcm));
      rmSync(at(files.pcm), { force: true });
      this.windows.push({ fromMs, toMs, v720: files.v720, v360: files.v360 });
      this.doneMs = toMs;
      this.cost.windows++;
      this.cost.wallMs += performance.now() - started;
      this.opts.log.debug({ fromMs, toMs, ms: Math.round(performance.now() - started), clockMs: Math.round(this.source.clock()), final }, "window composed");
      this.failures = 0;
    } catch (err) {
      if (++this.failures >= 3 || this.abort.signal.aborted) this.giveUp(err);
      else this.opts.log.info({ err: err instanceof Error ? err.message : String(err), fromMs, toMs }, "a window could not be composed yet; trying again");
    }
  }

  /** The board's video for the window (drawn from its history so far), when it was on the stage in it. */
  private async boardFor(fromMs: number, toMs: number, output: string): Promise<ComposeBoard | undefined> {
    const board = this.opts.board;
    if (!board) return undefined;
    const startedAt = board.startedAt().getTime();
    const history = await board.source.boardForRecording(board.roomId, new Date(startedAt).toISOString(), new Date(startedAt + toMs).toISOString());
    // When the board was first on the stage (the teacher's camera is a tile from then on, in every later window).
    this.boardFirstMs = Math.min(this.boardFirstMs ?? Number.POSITIVE_INFINITY, boardSpans(history, toMs)[0]?.startMs ?? Number.POSITIVE_INFINITY);
    if (!Number.isFinite(this.boardFirstMs)) this.boardFirstMs = undefined;
    if (this.failed) return undefined;
    this.pdf ??= new PdfPages(
      (surfaceId) => board.source.materialPdf(board.roomId, surfaceId),
      BOARD_FRAME,
      (surfaceId, err) => this.opts.log.warn({ surfaceId, err: String(err) }, "a document shown on the board could not be drawn"),
    );
    const video = await renderBoardVideo({
      board: history,
      durationMs: toMs,
      window: { fromMs, toMs },
      pdfOf: (surfaceId) => board.source.materialPdf(board.roomId, surfaceId),
      pdf: this.pdf,
      ffmpeg: this.opts.ffmpeg,
      output,
      signal: this.abort.signal,
    });
    return video ? { file: video.file, startMs: video.startMs, spans: video.spans } : undefined;
  }

  /** A window's sound into the recording's one AAC encoder, in order. */
  private async feedSound(pcm: string): Promise<void> {
    if (!this.encoder) {
      const encoder = spawn(
        this.opts.ffmpeg,
        ["-hide_banner", "-nostdin", "-loglevel", "error", "-y", ...audioEncoderArgs(path.join(this.opts.dir, "audio.m4a"))],
        {
          stdio: ["pipe", "ignore", "ignore"],
        },
      );
      if (encoder.pid) lowerPriority(encoder.pid, 10);
      encoder.stdin.on("error", () => {});
      this.encoderExit = new Promise((resolve) => {
        encoder.once("exit", (code) => resolve(code));
        encoder.once("error", () => resolve(-1));
      });
      this.encoder = encoder;
    }
    const encoder = this.encoder;
    const stdin = encoder.stdin;
    const exited = this.encoderExit;
    if (!stdin || !exited) throw new Error("the sound encoder has no input");
    const gone = () => stdin.destroyed || encoder.exitCode !== null || encoder.signalCode !== null;
    for await (const chunk of createReadStream(pcm, { highWaterMark: 1 << 20 })) {
      if (gone()) throw new Error("the sound encoder is gone");
      if (stdin.write(chunk)) continue;
      // Its input is full: on when it drains, or fail when it ended (an ended encoder never drains).
      const settled = new AbortController();
      const { signal } = settled;
      const ended = exited.then(() => "ended" as const);
      const drained = once(stdin, "drain", { signal }).then(
        () => "drained" as const,
        () => "ended" as const,
      );
      const closed = once(stdin, "close", { signal }).then(
        () => "ended" as const,
        () => "ended" as const,
      );
      try {
        if ((await Promise.race([drained, closed, ended])) === "ended") throw new Error("the sound encoder ended");
      } finally {
        settled.abort(); // the listeners go with it
      }
    }
  }
}

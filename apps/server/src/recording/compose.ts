import type { TrackRow } from "./repo.js";

export interface ComposeInput {
  file: string;
  offsetMs: number;
  /** When the part ended on the recording's clock (its last packet, or the stop); unknown after a crash. */
  endOffsetMs?: number;
  /** A video live before its first frame (TrackPartColumn.liveFromMs): its first frame shows from here. */
  liveFromMs?: number;
  track: Pick<TrackRow, "kind" | "source" | "user_id" | "producer_id">;
}

export const CANVAS = { width: 1280, height: 720, fps: 30 };
const TILE = { width: 256, height: 144, margin: 12 };

/** The class board's video (recording/board/): its first frame's offset, and when it is on the stage. */
export interface ComposeBoard {
  file: string;
  startMs: number;
  spans: { startMs: number; endMs: number }[];
}

/**
 * The longest a first frame is shown before its media begins: a longer wait is shown as it was.
 * A browser on a loaded machine took 5.3 s to answer the recorder's key-frame request in a CI run
 * (the limit was 5 s then, and that camera's tile was missing for those seconds).
 */
export const MAX_LEAD_MS = 15_000;

const sec = (ms: number) => (ms / 1000).toFixed(3);

/** How long before its media a part's first frame is shown (0: not at all). */
function leadMs(part: { offsetMs: number; liveFromMs?: number }): number {
  if (part.liveFromMs === undefined) return 0;
  const lead = part.offsetMs - part.liveFromMs;
  return lead > 0 && lead <= MAX_LEAD_MS ? lead : 0;
}

/** A span of the recording's clock composed on its own (recording/progressive/): [fromMs, toMs). */
export interface ComposeWindow {
  fromMs: number;
  toMs: number;
}

/** The inputs and filter graph of a composition; its outputs are `[vout]` and `[aout]`. */
export interface ComposeGraph {
  inputArgs: string[];
  filters: string[];
  durationS: number;
}

/** When a part's picture is first shown (its first frame's lead included) and until when it may show. */
function partSpan(part: ComposeInput): { from: number; to: number } {
  const from = part.offsetMs - (part.track.kind === "video" ? leadMs(part) : 0);
  return { from, to: part.endOffsetMs ?? Number.POSITIVE_INFINITY };
}

/**
 * The FFmpeg arguments that lay every part on one timeline and compose the class:
 * screen share full-size when present, else the class board full-size while it is on the stage,
 * else the teacher's camera; the teacher's camera (when a screen is shared or the board used)
 * and the other cameras in a strip bottom-right; all audio mixed. A screen share and the board
 * on the stage at once: the screen wins (it is drawn over the board).
 */
export function composeArgs(inputs: ComposeInput[], opts: { hostId: string | null; durationS: number; output: string; board?: ComposeBoard }): string[] {
  const graph = composeGraph(inputs, { hostId: opts.hostId, window: { fromMs: 0, toMs: Math.max(0.5, opts.durationS) * 1000 }, board: opts.board });
  return [...graph.inputArgs, ...mp4OutputArgs(graph, opts.output)];
}

/**
 * The composition of one window of the recording's clock, in the window's own time (its first
 * frame is `window.fromMs`). The whole recording is the window [0, duration). A part that began
 * before the window is read from a seek (video: from the key frame before it, so that its picture
 * is there at the window's first frame); one that has not ended yet (`endOffsetMs` unknown while
 * the class runs, `progressive`) holds its last frame to the window's end. The layout is
 * decided from every part known, not only the window's, so that it does not change between windows:
 * the teacher's camera is a tile from the first screen share or board on, and every other camera
 * keeps one slot in the strip.
 */
export function composeGraph(
  allInputs: ComposeInput[],
  opts: {
    hostId: string | null;
    window: ComposeWindow;
    board?: ComposeBoard;
    progressive?: boolean;
    /** When the board was first on the stage, where `board` covers only this window (progressive/). */
    firstShareMs?: number;
  },
): ComposeGraph {
  const w0 = opts.window.fromMs;
  const w1 = opts.window.toMs;
  const durationS = Math.max(0.5, (w1 - w0) / 1000);
  const duration = durationS.toFixed(3);
  const { width, height, fps } = CANVAS;
  const args: string[] = [];
  const board = opts.board?.spans.some((s) => s.startMs < w1 && s.endMs > w0) ? opts.board : undefined;
  const everVideos = allInputs.filter((i) => i.track.kind === "video");
  const everCams = everVideos.filter((v) => v.track.source !== "screen");
  const teacherProducer = (everCams.find((c) => c.track.user_id && c.track.user_id === opts.hostId) ?? everCams[0])?.track.producer_id;
  // The teacher's camera is a tile from the moment a screen or the board is first on the stage;
  // the other cameras keep their order in the strip (moved one place along from then on).
  const firstShare = [
    ...everVideos.filter((v) => v.track.source === "screen").map((v) => partSpan(v).from),
    ...(opts.board?.spans.map((s) => s.startMs) ?? []),
    opts.firstShareMs ?? Number.POSITIVE_INFINITY,
  ].reduce((min, at) => Math.min(min, at), Number.POSITIVE_INFINITY);
  const teacherTile = firstShare < w1;
  const otherSlot = new Map<string, number>();
  for (const cam of everCams)
    if (cam.track.producer_id !== teacherProducer && !otherSlot.has(cam.track.producer_id)) otherSlot.set(cam.track.producer_id, otherSlot.size);

  // The parts shown or heard in the window, each with how far into its media the window begins.
  const inputs = allInputs
    .map((input) => ({ ...input, seekMs: w0 > 0 ? w0 - input.offsetMs : 0 }))
    .filter((input) => {
      const span = partSpan(input);
      return span.from < w1 && span.to > w0;
    });
  // A browser changes its video's resolution as its bandwidth estimate grows (320×180 → 1280×720
  // in a class's first seconds): the graph must not be rebuilt then (FFmpeg's default), which
  // restarts every source and delay in it; the scale filters follow the new size by themselves.
  for (const input of inputs) {
    args.push("-reinit_filter", "0");
    if (input.seekMs > 0) args.push(...(input.track.kind === "video" ? ["-noaccurate_seek"] : []), "-ss", sec(input.seekMs));
    args.push("-i", input.file);
  }
  if (board) args.push("-i", board.file);
  const filters: string[] = [`color=c=0x111111:s=${width}x${height}:r=${fps}:d=${duration}[base]`];
  const videos = inputs.map((inp, idx) => ({ ...inp, idx })).filter((i) => i.track.kind === "video");
  const audios = inputs.map((inp, idx) => ({ ...inp, idx })).filter((i) => i.track.kind === "audio");
  const cams = videos.filter((v) => v.track.source !== "screen");
  const screens = videos.filter((v) => v.track.source === "screen");
  const teacher = cams.filter((c) => c.track.producer_id === teacherProducer);
  const others = cams.filter((c) => c.track.producer_id !== teacherProducer);

  const timed = (input: { idx: number; offsetMs: number; liveFromMs?: number; seekMs: number }) => {
    // Read from the key frame before the window: its frames are on the window's clock as they are.
    if (input.seekMs > 0) return `[${input.idx}:v]setpts=PTS`;
    const lead = leadMs(input);
    // A camera live at Record whose key frame came late: its first frame, repeated, from liveFromMs.
    if (lead > 0)
      return `[${input.idx}:v]setpts=PTS-STARTPTS,fps=${fps},tpad=start_duration=${sec(lead)}:start_mode=clone,setpts=PTS-STARTPTS+${sec(input.offsetMs - lead - w0)}/TB`;
    return `[${input.idx}:v]setpts=PTS-STARTPTS+${sec(input.offsetMs - w0)}/TB`;
  };
  const full = `scale=${width}:${height}:force_original_aspect_ratio=decrease,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2,setsar=1`;
  const small = `scale=${TILE.width}:${TILE.height}:force_original_aspect_ratio=decrease,pad=${TILE.width}:${TILE.height}:(ow-iw)/2:(oh-ih)/2,setsar=1`;

  let cur = "base";
  let layerCount = 0;
  // A video shows until its part ended, holding its last frame: a browser sends no frames while
  // a shared screen is still (a slide), and a sender's encoder can fall behind the clock, so its
  // media can end before the part did. A part of unknown end shows while it has frames (a crash),
  // or (`progressive`: a class still running) holds its last frame to the window's end.
  const overlay = (label: string, x: number | string, y: number | string, part?: ComposeInput, notBeforeMs = Number.NEGATIVE_INFINITY) => {
    const out = `l${layerCount++}`;
    const from = part ? Math.max(part.offsetMs - leadMs(part), notBeforeMs) - w0 : 0;
    const end = part?.endOffsetMs ?? (opts.progressive ? w1 + 1000 : undefined);
    const held =
      part && end !== undefined && end > part.offsetMs
        ? `eof_action=repeat:enable='between(t,${sec(from)},${sec(end - w0)})'`
        : Number.isFinite(notBeforeMs) && part
          ? `eof_action=pass:enable='gte(t,${sec(from)})'`
          : "eof_action=pass";
    filters.push(`[${cur}][${label}]overlay=x=${x}:y=${y}:${held}:shortest=0[${out}]`);
    cur = out;
  };
  const smallLayers: string[] = [];
  for (const teacherCam of teacher) {
    if (teacherTile) {
      filters.push(
        `${timed(teacherCam)},split=2[tf${teacherCam.idx}][ts${teacherCam.idx}raw]`,
        `[ts${teacherCam.idx}raw]${small}[ts${teacherCam.idx}]`,
        `[tf${teacherCam.idx}]${full}[tfull${teacherCam.idx}]`,
      );
      smallLayers.push(`ts${teacherCam.idx}`);
    } else filters.push(`${timed(teacherCam)},${full}[tfull${teacherCam.idx}]`);
    overlay(`tfull${teacherCam.idx}`, 0, 0, teacherCam);
  }
  if (board) {
    // The board's video is already 1280×720; it shows only while the board is on the stage.
    const shown = board.spans.map((span) => `between(t,${sec(span.startMs - w0)},${sec(span.endMs - w0)})`).join("+");
    filters.push(`[${inputs.length}:v]setpts=PTS-STARTPTS+${sec(board.startMs - w0)}/TB,${full}[board]`);
    filters.push(`[${cur}][board]overlay=x=0:y=0:eof_action=repeat:enable='${shown}':shortest=0[l${layerCount}]`);
    cur = `l${layerCount++}`;
  }
  for (const s of screens) {
    filters.push(`${timed(s)},${full}[s${s.idx}]`);
    overlay(`s${s.idx}`, 0, 0, s);
  }
  for (const o of others) {
    filters.push(`${timed(o)},${small}[o${o.idx}]`);
    smallLayers.push(`o${o.idx}`);
  }
  // One slot per producer, so that the parts of one camera stay in the same place.
  const tileX = (slot: number) => width - (slot + 1) * (TILE.width + TILE.margin);
  const tileY = height - TILE.height - TILE.margin;
  for (const label of smallLayers) {
    const input = inputs[Number(label.replace(/\D+/g, ""))];
    if (input.track.producer_id === teacherProducer) {
      overlay(label, tileX(0), tileY, input, firstShare);
      continue;
    }
    const slot = otherSlot.get(input.track.producer_id) ?? 0;
    const left = !teacherTile ? tileX(slot) : firstShare <= w0 ? tileX(slot + 1) : `'if(gte(t,${sec(firstShare - w0)}),${tileX(slot + 1)},${tileX(slot)})'`;
    overlay(label, left, tileY, input);
  }
  filters.push(`[${cur}]format=yuv420p[vout]`);

  audios.forEach((audio, k) => {
    // A window of a class being recorded: each part's samples where their timestamps put them
    // (a part read from a seek has no first sample to count from), silence before them.
    if (opts.progressive)
      filters.push(
        `[${audio.idx}:a]asetpts=PTS+${sec(Math.max(0, audio.offsetMs - w0))}/TB,aresample=48000:async=1:first_pts=0,aformat=sample_rates=48000:channel_layouts=stereo[a${k}]`,
      );
    else
      filters.push(
        `[${audio.idx}:a]aresample=48000:async=1,aformat=sample_rates=48000:channel_layouts=stereo,asetpts=PTS-STARTPTS,adelay=${Math.round(audio.offsetMs - w0)}:all=1[a${k}]`,
      );
  });
  if (audios.length === 0) filters.push(`anullsrc=r=48000:cl=stereo,atrim=end=${duration},asetnsamples=n=1024:p=0[aout]`);
  else if (audios.length === 1) filters.push(`[a0]apad,atrim=end=${duration},asetnsamples=n=1024:p=0[aout]`);
  else
    filters.push(
      `${audios.map((_, k) => `[a${k}]`).join("")}amix=inputs=${audios.length}:duration=longest:normalize=0,apad,atrim=end=${duration},asetnsamples=n=1024:p=0[aout]`,
    );
  return { inputArgs: args, filters, durationS };
}

/** The whole recording's MP4: H.264 720p (key frames every 4 s) and AAC. */
function mp4OutputArgs(graph: ComposeGraph, output: string): string[] {
  const { fps } = CANVAS;
  const duration = graph.durationS.toFixed(3);
  const args: string[] = [];
  args.push(
    "-filter_complex",
    graph.filters.join(";"),
    "-map",
    "[vout]",
    "-map",
    "[aout]",
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    "-crf",
    "23",
    "-profile:v",
    "high",
    "-pix_fmt",
    "yuv420p",
    "-r",
    String(fps),
    "-g",
    String(fps * 4),
    "-keyint_min",
    String(fps * 4),
    "-sc_threshold",
    "0",
    "-c:a",
    "aac",
    "-b:a",
    "128k",
    "-ar",
    "48000",
    "-ac",
    "2",
    "-movflags",
    "+faststart",
    "-t",
    duration,
    output,
  );
  return args;
}

/** MP4 → HLS ladder: 720p (video copied, key frames every 4 s) and 360p, 4 s segments. */
export function hlsArgs(mp4: string, dir: string): string[] {
  return [
    "-i",
    mp4,
    "-filter_complex",
    "[0:v]scale=-2:360,setsar=1[v360]",
    "-map",
    "0:v",
    "-map",
    "[v360]",
    "-map",
    "0:a",
    "-map",
    "0:a",
    "-c:v:0",
    "copy",
    "-c:v:1",
    "libx264",
    "-preset",
    "veryfast",
    "-crf",
    "26",
    "-pix_fmt",
    "yuv420p",
    "-g",
    "120",
    "-keyint_min",
    "120",
    "-sc_threshold",
    "0",
    "-b:v:1",
    "700k",
    "-maxrate:v:1",
    "900k",
    "-bufsize:v:1",
    "1800k",
    "-c:a",
    "copy",
    ...hlsLadderOutput(dir),
  ];
}

/** The recording's HLS output: the 720p and 360p variants with the sound, 4 s VOD segments, a master playlist. */
export function hlsLadderOutput(dir: string): string[] {
  return [
    "-f",
    "hls",
    "-hls_time",
    "4",
    "-hls_playlist_type",
    "vod",
    "-hls_flags",
    "independent_segments",
    "-master_pl_name",
    "master.m3u8",
    "-var_stream_map",
    "v:0,a:0,name:720p v:1,a:1,name:360p",
    "-hls_segment_filename",
    `${dir}/%v/seg%03d.ts`,
    `${dir}/%v/index.m3u8`,
  ];
}

export function thumbnailArgs(mp4: string, atS: number, out: string): string[] {
  return ["-ss", atS.toFixed(2), "-i", mp4, "-frames:v", "1", "-vf", "scale=640:-2", "-q:v", "4", out];
}

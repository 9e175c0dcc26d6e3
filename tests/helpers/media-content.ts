/**
 * What a person would see and hear in a recording: FFmpeg decodes a file or URL (MP4, HLS
 * playlist, JPEG) into small raw frames sampled twice a second and into mono PCM, and these
 * helpers measure them — is the picture non-uniform (a camera's pattern, not a flat frame), what
 * colour a region has (the shared screen), is the sound above silence.
 */
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** One decoded frame (RGB24, `width`×`height`), at `t` seconds. */
export interface Frame {
  t: number;
  width: number;
  height: number;
  rgb: Buffer;
}

/** A region in the recording's canvas coordinates (1280×720), scaled to the sampled frame. */
export interface Region {
  x: number;
  y: number;
  w: number;
  h: number;
}
export const CANVAS = { width: 1280, height: 720 };
/** The composition's tiles (recording/compose.ts): 256×144, 12 px margin, bottom-right, slot 0 rightmost. */
export function tileRegion(slot: number): Region {
  return { x: CANVAS.width - (slot + 1) * (256 + 12), y: CANVAS.height - 144 - 12, w: 256, h: 144 };
}
/** The stage above the tiles: the teacher's camera, or the screen share over it. */
export const STAGE: Region = { x: 0, y: 0, w: CANVAS.width, h: 540 };
export const WHOLE: Region = { x: 0, y: 0, w: CANVAS.width, h: CANVAS.height };

const SAMPLE = { width: 320, height: 180 };

async function ffmpegOut(args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const proc = spawn("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-protocol_whitelist", "file,http,https,tcp,tls,crypto,hls", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const chunks: Buffer[] = [];
    let err = "";
    proc.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    proc.stderr.on("data", (chunk) => (err += chunk));
    proc.on("error", reject);
    proc.on("close", (code) =>
      code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`ffmpeg ${args.join(" ")} exited ${code}: ${err.slice(-2000)}`)),
    );
  });
}

/**
 * Frames at 0.5 s, 1.5 s, 2.5 s, … (the middle of each second), scaled to 320×180 whatever the
 * source size (a 360p variant or a 720p one are measured in the same canvas coordinates).
 */
export async function framesPerSecond(input: string): Promise<Frame[]> {
  const { width, height } = SAMPLE;
  const raw = await ffmpegOut([
    "-i",
    input,
    "-map",
    "0:v:0",
    "-vf",
    `fps=2,scale=${width}:${height}:flags=area`,
    "-f",
    "rawvideo",
    "-pix_fmt",
    "rgb24",
    "pipe:1",
  ]);
  const size = width * height * 3;
  const frames: Frame[] = [];
  for (let i = 0; (i + 1) * size <= raw.length; i++) {
    if (i % 2 === 1) frames.push({ t: i / 2, width, height, rgb: raw.subarray(i * size, (i + 1) * size) });
  }
  return frames;
}

/** One picture (e.g. the thumbnail JPEG), scaled to 320×180. */
export async function still(input: string): Promise<Frame> {
  const { width, height } = SAMPLE;
  const raw = await ffmpegOut(["-i", input, "-frames:v", "1", "-vf", `scale=${width}:${height}:flags=area`, "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]);
  return { t: 0, width, height, rgb: raw.subarray(0, width * height * 3) };
}

function pixels(frame: Frame, region: Region, each: (red: number, green: number, blue: number) => void) {
  const sx = frame.width / CANVAS.width;
  const sy = frame.height / CANVAS.height;
  const x0 = Math.max(0, Math.floor(region.x * sx));
  const y0 = Math.max(0, Math.floor(region.y * sy));
  const x1 = Math.min(frame.width, Math.ceil((region.x + region.w) * sx));
  const y1 = Math.min(frame.height, Math.ceil((region.y + region.h) * sy));
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const offset = (y * frame.width + x) * 3;
      each(frame.rgb[offset]!, frame.rgb[offset + 1]!, frame.rgb[offset + 2]!);
    }
  }
}

/** Standard deviation of the luma (0–255) in a region: about 0 for a flat frame. */
export function lumaStd(frame: Frame, region: Region = WHOLE): number {
  let count = 0;
  let sum = 0;
  let sq = 0;
  pixels(frame, region, (red, green, blue) => {
    const luma = 0.299 * red + 0.587 * green + 0.114 * blue;
    count++;
    sum += luma;
    sq += luma * luma;
  });
  if (count === 0) return 0;
  const mean = sum / count;
  return Math.sqrt(Math.max(0, sq / count - mean * mean));
}

/** Mean [R, G, B] of a region. */
export function meanColor(frame: Frame, region: Region = WHOLE): [number, number, number] {
  let count = 0;
  const sums = [0, 0, 0];
  pixels(frame, region, (red, green, blue) => {
    count++;
    sums[0] += red;
    sums[1] += green;
    sums[2] += blue;
  });
  return count ? [sums[0]! / count, sums[1]! / count, sums[2]! / count] : [0, 0, 0];
}

/** Mean absolute difference of the luma of a region between two frames (motion). */
export function lumaDiff(frameA: Frame, frameB: Frame, region: Region = WHOLE): number {
  const la: number[] = [];
  const lb: number[] = [];
  pixels(frameA, region, (red, green, blue) => la.push(0.299 * red + 0.587 * green + 0.114 * blue));
  pixels(frameB, region, (red, green, blue) => lb.push(0.299 * red + 0.587 * green + 0.114 * blue));
  let diffSum = 0;
  for (let i = 0; i < la.length; i++) diffSum += Math.abs(la[i]! - (lb[i] ?? 0));
  return la.length ? diffSum / la.length : 0;
}

/**
 * What the test publishers send: FFmpeg's test pattern as a camera, the same pattern turned
 * magenta as a shared screen (`isScreenColour` tells it apart).
 */
export const testPattern = (size: string, screen = false) => `testsrc2=size=${size}:rate=25${screen ? ",lutrgb=r=230:b=230:g=val*0.3" : ""}`;
/** libvpx the way the test publishers use it: real time, fastest, at `bitrate`. */
export const vp8Realtime = (bitrate: string) => ["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", bitrate];

/** A picture, not a flat frame: the fake cameras' and FFmpeg's test patterns are far above this. */
export const NON_UNIFORM_STD = 8;
export const isPicture = (frame: Frame, region: Region = WHOLE) => lumaStd(frame, region) > NON_UNIFORM_STD;

/**
 * The test screens the publishers share are magenta (red and blue high, green low): nothing else
 * in a class looks like that, so a region of this colour shows the shared screen.
 */
export function isScreenColour(frame: Frame, region: Region = STAGE): boolean {
  const [red, green, blue] = meanColor(frame, region);
  return red > 140 && blue > 140 && green < 0.6 * Math.min(red, blue);
}

/** Per second of the input: the peak and RMS level (dBFS) of its audio, mixed to mono. */
export async function audioPerSecond(input: string): Promise<{ t: number; peakDb: number; rmsDb: number }[]> {
  const rate = 8000;
  const raw = await ffmpegOut(["-i", input, "-map", "0:a:0", "-ac", "1", "-ar", String(rate), "-f", "s16le", "pipe:1"]);
  const samples = raw.length >> 1;
  const out: { t: number; peakDb: number; rmsDb: number }[] = [];
  for (let s = 0; s + rate <= samples; s += rate) {
    let peak = 0;
    let sq = 0;
    for (let i = s; i < s + rate; i++) {
      const sample = raw.readInt16LE(i * 2) / 32768;
      peak = Math.max(peak, Math.abs(sample));
      sq += sample * sample;
    }
    const db = (amplitude: number) => (amplitude > 0 ? 20 * Math.log10(amplitude) : -120);
    out.push({ t: s / rate, peakDb: db(peak), rmsDb: db(Math.sqrt(sq / rate)) });
  }
  return out;
}
/** Above silence: a peak over −40 dBFS in that second (a fake microphone's beeps, a test tone). */
export const AUDIBLE_PEAK_DB = -40;

/** The container's duration in seconds (ffprobe). */
export async function durationOf(input: string): Promise<number> {
  const { stdout } = await run("ffprobe", [
    "-v",
    "error",
    "-protocol_whitelist",
    "file,http,https,tcp,tls,crypto,hls",
    "-show_entries",
    "format=duration",
    "-of",
    "json",
    input,
  ]);
  return Number(JSON.parse(stdout).format?.duration ?? NaN);
}

/** The share (0–1) of `items` for which `ok` holds; 0 for none. */
export function share<T>(items: T[], ok: (x: T) => boolean): number {
  return items.length ? items.filter(ok).length / items.length : 0;
}

/** The seconds sampled inside [from, to) of the recording (seconds). */
export const within = <T extends { t: number }>(xs: T[], from: number, to: number) => xs.filter((x) => x.t >= from && x.t < to);

/** Why a check failed, compactly: the per-second values. */
export const describeFrames = (fs: Frame[], region: Region) =>
  fs
    .map(
      (f) =>
        `${f.t}s std=${lumaStd(f, region).toFixed(1)} rgb=${meanColor(f, region)
          .map((c) => c.toFixed(0))
          .join("/")}`,
    )
    .join("; ");

/** What should be in a recording, on its own timeline (seconds from its start). */
export interface ExpectedContent {
  /** The recorded span (stoppedAt − startedAt). */
  durationS: number;
  /** Each camera's live span and where it is on the canvas at time t. */
  cameras: { name: string; from: number; to: number; region: (t: number) => Region; skip?: (t: number) => boolean }[];
  /** Screen shares: the stage shows the (magenta) screen; outside them it does not. */
  screens: { from: number; to: number }[];
  /** Spans during which some microphone was live. */
  mics: { from: number; to: number }[];
}

/**
 * Samples `input` once a second and returns every way it falls short of `expected` (empty when
 * it is what a person would expect): at least 95 % of the seconds of each camera show a picture
 * in its place, of each share the screen, of each microphone sound; the duration is within 1 s.
 * The first second of a share is not counted (the recorder waits for the screen's key frame), nor
 * its last half second (a browser stops sending before it tells the server the share ended).
 */
export async function contentProblems(input: string, expected: ExpectedContent, label = input): Promise<string[]> {
  const problems: string[] = [];
  const need = 0.95;
  const duration = await durationOf(input);
  if (!(Math.abs(duration - expected.durationS) < 1)) problems.push(`${label}: duration ${duration} s, recorded ${expected.durationS.toFixed(2)} s`);
  const frames = await framesPerSecond(input);
  for (const cam of expected.cameras) {
    const secs = within(frames, cam.from, cam.to).filter((f) => !cam.skip?.(f.t));
    const ok = share(secs, (frame) => isPicture(frame, cam.region(frame.t)));
    if (secs.length === 0 || ok < need)
      problems.push(
        `${label}: ${cam.name} shows a picture in ${(ok * 100).toFixed(0)} % of ${secs.length} s: ${secs.map((f) => `${f.t}s std=${lumaStd(f, cam.region(f.t)).toFixed(1)}`).join(" ")}`,
      );
  }
  const inShare = (time: number, margin: number) => expected.screens.some((s) => time >= s.from - margin && time < s.to + margin);
  for (const s of expected.screens) {
    const secs = within(frames, s.from + 1, s.to - 0.5);
    const ok = share(secs, (frame) => isScreenColour(frame));
    if (secs.length === 0 || ok < need)
      problems.push(`${label}: the screen share shows in ${(ok * 100).toFixed(0)} % of ${secs.length} s: ${describeFrames(secs, STAGE)}`);
  }
  if (expected.screens.length) {
    const outside = frames.filter((f) => !inShare(f.t, 1.5) && f.t < expected.durationS);
    const wrong = outside.filter((f) => isScreenColour(f));
    if (wrong.length > outside.length * (1 - need)) problems.push(`${label}: the screen shows outside its share at ${wrong.map((f) => f.t).join(", ")} s`);
  }
  if (expected.mics.length) {
    const audio = await audioPerSecond(input);
    for (const m of expected.mics) {
      const secs = audio.filter((a) => a.t >= m.from && a.t + 1 <= m.to);
      const ok = share(secs, (second) => second.peakDb > AUDIBLE_PEAK_DB);
      if (secs.length === 0 || ok < need)
        problems.push(`${label}: sound in ${(ok * 100).toFixed(0)} % of ${secs.length} s: ${secs.map((a) => `${a.t}s ${a.peakDb.toFixed(0)}dB`).join(" ")}`);
    }
  }
  return problems;
}

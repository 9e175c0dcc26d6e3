import { BoxReader, readFragment, readInit, type TrackInfo } from "./boxes.js";
import { SEGMENT_SECONDS } from "../args.js";
import { mediaPlaylist } from "./playlist.js";

/** Part target (s): the compositor cuts a fragment every 0.5 s (`frag_duration`), and at each key frame. */
export const PART_TARGET = 0.5;
/** Segments listed in the playlist (2 s each). */
const WINDOW = 8;
/** Segments kept beyond the window, for players a little behind. */
const KEPT_BEYOND = 4;

export interface Part {
  data: Buffer;
  duration: number;
  independent: boolean;
}

export interface Segment {
  msn: number;
  /** Which init segment (init<N>.mp4) its media needs. */
  init: number;
  /** The first segment of a compositor run after another (EXT-X-DISCONTINUITY). */
  discontinuity: boolean;
  parts: Part[];
  duration: number;
  complete: boolean;
  /** Its parts joined, made once at the first request after it completed (every viewer gets the same bytes). */
  whole?: Buffer;
}

export interface RenditionInfo {
  codecs: string;
  width?: number;
  height?: number;
}

/**
 * One rendition's low-latency HLS, built in memory from the compositor's fragmented MP4: each
 * fragment (moof+mdat, about 0.5 s) is a partial segment; a fragment starting with a key frame
 * (every 2 s, the compositor's GOP) starts a new segment, which is its parts concatenated. A new
 * compositor run (a new layout) brings a new init segment (EXT-X-MAP) and a discontinuity.
 * Waiters (blocking playlist reloads, preload-hinted parts) are woken on every new part.
 */
export class LlPackager {
  readonly segments: Segment[] = [];
  readonly inits = new Map<number, Buffer>();
  private initCount = 0;
  private tracks: TrackInfo[] = [];
  private reader?: BoxReader;
  private pendingMoof?: Buffer;
  private pendingInit: Buffer[] = [];
  private currentInit = -1;
  private nextMsn = 0;
  private newRun = false;
  private waiters = new Set<() => void>();
  /** The current run has given its first key frame (media before it is dropped). */
  private keyed = false;
  private droppedDiscontinuities = 0;
  ended = false;
  info?: RenditionInfo;

  /** A compositor run starts: its bytes follow (ftyp, moov, then moof/mdat pairs). */
  beginRun(): void {
    this.closeSegment();
    this.reader = new BoxReader();
    this.pendingMoof = undefined;
    this.pendingInit = [];
    this.newRun = true;
    this.keyed = false;
  }

  push(chunk: Buffer): void {
    if (!this.reader || this.ended) return;
    for (const box of this.reader.push(chunk)) {
      if (box.type === "ftyp") this.pendingInit = [box.data];
      else if (box.type === "moov") {
        this.pendingInit.push(box.data);
        this.tracks = readInit(box.data);
        this.currentInit = this.initCount++;
        this.inits.set(this.currentInit, Buffer.concat(this.pendingInit));
        const video = this.tracks.find((track) => track.kind === "video");
        const codecs = this.tracks.map((track) => track.codec).filter(Boolean);
        this.info = { codecs: codecs.join(","), width: video?.width, height: video?.height };
      } else if (box.type === "moof") this.pendingMoof = box.data;
      else if (box.type === "mdat" && this.pendingMoof && this.currentInit >= 0) {
        this.addPart(this.pendingMoof, box.data);
        this.pendingMoof = undefined;
      }
    }
  }

  /** The run ended: its last segment is complete (short, perhaps). */
  endRun(): void {
    this.reader = undefined;
    this.closeSegment();
    this.wake();
  }

  /** The stream ended (#EXT-X-ENDLIST): waiters answer now. */
  end(): void {
    this.endRun();
    this.ended = true;
    this.wake();
  }

  private get open(): Segment | undefined {
    const last = this.segments.at(-1);
    return last && !last.complete ? last : undefined;
  }

  private addPart(moof: Buffer, mdat: Buffer) {
    const { duration, independent } = readFragment(moof, this.tracks);
    const part: Part = { data: Buffer.concat([moof, mdat]), duration, independent };
    let segment = this.open;
    if (segment && independent) segment = this.closeSegment();
    // A run's first segment starts with a key frame: fragments before it are dropped.
    if (!this.keyed && !independent) return;
    this.keyed = true;
    if (!segment) {
      segment = {
        msn: this.nextMsn++,
        init: this.currentInit,
        discontinuity: this.newRun && this.segments.length > 0,
        parts: [],
        duration: 0,
        complete: false,
      };
      this.newRun = false;
      this.segments.push(segment);
      this.trim();
    }
    segment.parts.push(part);
    segment.duration += duration;
    // A full GOP: the segment closes now, so that the next part is hinted as the next segment's first.
    if (segment.duration >= SEGMENT_SECONDS - 0.01) this.closeSegment();
    this.wake();
  }

  private closeSegment(): undefined {
    const open = this.open;
    if (open) open.complete = true;
    return undefined;
  }

  private trim() {
    while (this.segments.length > WINDOW + KEPT_BEYOND) if (this.segments.shift()?.discontinuity) this.droppedDiscontinuities++;
    const oldestInit = this.segments[0]?.init ?? this.currentInit;
    for (const key of this.inits.keys()) if (key < oldestInit) this.inits.delete(key);
  }

  /** The segments the playlist lists (the newest WINDOW, the open one included). */
  listed(): Segment[] {
    return this.segments.slice(-WINDOW);
  }

  /** Discontinuities up to and including the first listed segment (EXT-X-DISCONTINUITY-SEQUENCE). */
  discontinuitySequence(): number {
    const first = this.listed()[0];
    let count = 0;
    for (const segment of this.segments) if (segment.discontinuity && first && segment.msn <= first.msn) count++;
    return count + this.droppedDiscontinuities;
  }

  playlist(): string {
    return mediaPlaylist(this);
  }

  /** The last segment and its part count (the live edge), if any media came yet. */
  edge(): { msn: number; parts: number; complete: boolean } | undefined {
    const last = this.segments.at(-1);
    return last && { msn: last.msn, parts: last.parts.length, complete: last.complete };
  }

  /** Whether the playlist now holds segment `msn` (complete), or its part `part`. */
  has(msn: number, part?: number): boolean {
    const last = this.segments.at(-1);
    if (!last) return false;
    if (last.msn > msn) return true;
    if (last.msn < msn) return false;
    return part === undefined ? last.complete : last.parts.length > part || last.complete;
  }

  /** A file of this rendition: init<N>.mp4, seg<msn>.m4s or seg<msn>.<part>.m4s. */
  file(name: string): Buffer | undefined | "later" {
    const init = /^init(\d+)\.mp4$/.exec(name);
    if (init) return this.inits.get(Number(init[1]));
    const match = /^seg(\d+)(?:\.(\d+))?\.m4s$/.exec(name);
    if (!match) return undefined;
    const msn = Number(match[1]);
    const segment = this.segments.find((candidate) => candidate.msn === msn);
    if (match[2] === undefined) {
      // Only the next segment is waited for; one further ahead is not there (404), not a held request.
      if (!segment) return msn === this.nextMsn && !this.ended ? "later" : undefined;
      if (!segment.complete) return "later";
      segment.whole ??= Buffer.concat(segment.parts.map((p) => p.data));
      return segment.whole;
    }
    const index = Number(match[2]);
    const part = segment?.parts[index];
    if (part) return part.data;
    // The hinted next part (or the next segment's first): it will exist soon.
    const open = this.open;
    if (this.ended) return undefined;
    if (open ? msn === open.msn && index === open.parts.length : msn === this.nextMsn && index === 0) return "later";
    if (open && msn === open.msn + 1 && index === 0) return "later";
    return undefined;
  }

  /** Resolves after the next change (a part, a run's end, the stream's end) or `ms`. */
  changed(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  private wake() {
    for (const waiter of [...this.waiters]) waiter();
  }
}

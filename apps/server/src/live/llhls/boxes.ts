/**
 * Just enough ISO BMFF (fragmented MP4) reading for the low-latency HLS packager: top-level boxes
 * cut from a byte stream, the tracks of an init segment (ftyp+moov), and per fragment (moof) its
 * video duration and whether it starts with a key frame.
 */

export interface Box {
  type: string;
  /** The whole box, header included. */
  data: Buffer;
}

/** Cuts a byte stream (chunks as they come from a pipe) into top-level boxes. */
export class BoxReader {
  private pending: Buffer[] = [];
  private size = 0;

  push(chunk: Buffer): Box[] {
    this.pending.push(chunk);
    this.size += chunk.length;
    let buf = this.pending.length === 1 ? chunk : Buffer.concat(this.pending, this.size);
    const boxes: Box[] = [];
    let offset = 0;
    while (buf.length - offset >= 8) {
      let length = buf.readUInt32BE(offset);
      let header = 8;
      if (length === 1) {
        if (buf.length - offset < 16) break;
        length = Number(buf.readBigUInt64BE(offset + 8));
        header = 16;
      }
      if (length < header) throw new Error(`a box of impossible length ${length}`);
      if (buf.length - offset < length) break;
      boxes.push({ type: buf.toString("latin1", offset + 4, offset + 8), data: buf.subarray(offset, offset + length) });
      offset += length;
    }
    buf = buf.subarray(offset);
    this.pending = buf.length ? [Buffer.from(buf)] : [];
    this.size = buf.length;
    return boxes;
  }
}

/** The child boxes of a container's payload. */
function children(data: Buffer, start: number, end = data.length): Map<string, Buffer[]> {
  const found = new Map<string, Buffer[]>();
  let offset = start;
  while (offset + 8 <= end) {
    const length = data.readUInt32BE(offset);
    if (length < 8 || offset + length > end) break;
    const type = data.toString("latin1", offset + 4, offset + 8);
    const list = found.get(type) ?? [];
    list.push(data.subarray(offset, offset + length));
    found.set(type, list);
    offset += length;
  }
  return found;
}

function child(box: Buffer | undefined, ...path: string[]): Buffer | undefined {
  let current = box;
  for (const type of path) {
    if (!current) return undefined;
    current = children(current, 8).get(type)?.[0];
  }
  return current;
}

export interface TrackInfo {
  id: number;
  kind: "video" | "audio" | "other";
  timescale: number;
  defaultDuration: number;
  defaultFlags: number;
  /** RFC 6381 codec, e.g. avc1.64001f or mp4a.40.2. */
  codec?: string;
  width?: number;
  height?: number;
}

/** The tracks of an init segment's moov (and their trex defaults). */
export function readInit(moov: Buffer): TrackInfo[] {
  const top = children(moov, 8);
  const trex = new Map<number, { duration: number; flags: number }>();
  for (const box of children(top.get("mvex")?.[0] ?? Buffer.alloc(0), 8).get("trex") ?? [])
    trex.set(box.readUInt32BE(12), { duration: box.readUInt32BE(20), flags: box.readUInt32BE(28) });
  const tracks: TrackInfo[] = [];
  for (const trak of top.get("trak") ?? []) {
    const tkhd = child(trak, "tkhd");
    const mdhd = child(trak, "mdia", "mdhd");
    const hdlr = child(trak, "mdia", "hdlr");
    if (!tkhd || !mdhd || !hdlr) continue;
    const id = tkhd.readUInt32BE(tkhd[8] === 1 ? 28 : 20);
    const timescale = mdhd.readUInt32BE(mdhd[8] === 1 ? 28 : 20);
    const handler = hdlr.toString("latin1", 16, 20);
    const kind = handler === "vide" ? "video" : handler === "soun" ? "audio" : "other";
    const defaults = trex.get(id) ?? { duration: 0, flags: 0 };
    const track: TrackInfo = { id, kind, timescale, defaultDuration: defaults.duration, defaultFlags: defaults.flags };
    const stsd = child(trak, "mdia", "minf", "stbl", "stsd");
    // stsd: full box header (12) + entry count (4), then the sample entries.
    const entry = stsd && stsd.length > 24 ? stsd.subarray(16) : undefined;
    const format = entry?.toString("latin1", 4, 8);
    if (entry && (format === "avc1" || format === "avc3")) {
      track.width = entry.readUInt16BE(32);
      track.height = entry.readUInt16BE(34);
      // A visual sample entry's fixed part is 78 bytes after its 8-byte header.
      const avcC = children(entry, 86).get("avcC")?.[0];
      if (avcC) track.codec = `${format}.${avcC.subarray(9, 12).toString("hex")}`;
    } else if (format === "mp4a") track.codec = "mp4a.40.2";
    tracks.push(track);
  }
  return tracks;
}

/** Reads big-endian 32-bit fields one after another. */
function cursor(data: Buffer, start: number) {
  let at = start;
  return {
    skip: (bytes: number) => {
      at += bytes;
    },
    u32: () => {
      const value = data.readUInt32BE(at);
      at += 4;
      return value;
    },
  };
}

export interface FragmentInfo {
  /** Seconds of video (or, without video, of the first track) this fragment holds. */
  duration: number;
  /** Its video starts with a sync sample (a key frame). */
  independent: boolean;
}

/** What a moof says about its fragment, given the init's tracks. */
export function readFragment(moof: Buffer, tracks: TrackInfo[]): FragmentInfo {
  const trafs = children(moof, 8).get("traf") ?? [];
  const main = tracks.find((track) => track.kind === "video") ?? tracks[0];
  for (const traf of trafs) {
    const tfhd = child(traf, "tfhd");
    const trun = child(traf, "trun");
    if (!tfhd || !trun) continue;
    const track = tracks.find((candidate) => candidate.id === tfhd.readUInt32BE(12));
    if (!track || track !== main) continue;
    const tfhdFlags = tfhd.readUInt32BE(8) & 0xffffff;
    const header = cursor(tfhd, 16);
    if (tfhdFlags & 0x1) header.skip(8);
    if (tfhdFlags & 0x2) header.skip(4);
    const defaultDuration = tfhdFlags & 0x8 ? header.u32() : track.defaultDuration;
    if (tfhdFlags & 0x10) header.skip(4);
    const defaultFlags = tfhdFlags & 0x20 ? header.u32() : track.defaultFlags;
    const trunFlags = trun.readUInt32BE(8) & 0xffffff;
    const count = trun.readUInt32BE(12);
    const run = cursor(trun, 16);
    if (trunFlags & 0x1) run.skip(4);
    let firstFlags = trunFlags & 0x4 ? run.u32() : undefined;
    let ticks = 0;
    for (let i = 0; i < count; i++) {
      ticks += trunFlags & 0x100 ? run.u32() : defaultDuration;
      if (trunFlags & 0x200) run.skip(4);
      if (trunFlags & 0x400) {
        const flags = run.u32();
        if (i === 0 && firstFlags === undefined) firstFlags = flags;
      }
      if (trunFlags & 0x800) run.skip(4);
    }
    const flags = firstFlags ?? defaultFlags;
    return { duration: ticks / track.timescale, independent: count > 0 && (flags & 0x10000) === 0 };
  }
  return { duration: 0, independent: false };
}

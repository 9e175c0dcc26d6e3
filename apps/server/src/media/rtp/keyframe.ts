/**
 * Keyframe detection on the RTP payload (no allocation): used to switch a consumer to another
 * simulcast layer exactly at a keyframe, so the subscriber's decoder never waits for one.
 */

/** True if this VP8 RTP payload starts a keyframe (RFC 7741). */
export function isVp8KeyframeStart(p: Buffer): boolean {
  if (p.length < 3) return false;
  const b0 = p[0];
  // S bit set and partition index 0: the first packet of a frame.
  if ((b0 & 0x10) === 0 || (b0 & 0x07) !== 0) return false;
  let i = 1;
  if (b0 & 0x80) {
    const x = p[i++];
    if (x & 0x80) i += p[i] & 0x80 ? 2 : 1; // PictureID, 7 or 15 bits
    if (x & 0x40) i++; // TL0PICIDX
    if (x & 0x30) i++; // TID / KEYIDX
  }
  if (i >= p.length) return false;
  return (p[i] & 0x01) === 0; // P bit of the VP8 payload header: 0 = keyframe
}

/** True if this H.264 RTP payload carries an IDR slice or SPS (RFC 6184). */
export function isH264KeyframeStart(p: Buffer): boolean {
  if (p.length < 2) return false;
  const nal = p[0] & 0x1f;
  if (nal === 5 || nal === 7) return true;
  if (nal === 24) {
    // STAP-A: 16-bit sizes followed by NAL units
    let i = 1;
    while (i + 2 < p.length) {
      const size = p.readUInt16BE(i);
      const t = p[i + 2] & 0x1f;
      if (t === 5 || t === 7) return true;
      i += 2 + size;
    }
    return false;
  }
  if (nal === 28) return (p[1] & 0x80) !== 0 && ((p[1] & 0x1f) === 5 || (p[1] & 0x1f) === 7); // FU-A start
  return false;
}

export type KeyframeDetector = (payload: Buffer) => boolean;

export function keyframeDetectorFor(mimeType: string | undefined): KeyframeDetector | undefined {
  const m = (mimeType ?? "").toLowerCase();
  if (m === "video/vp8") return isVp8KeyframeStart;
  if (m === "video/h264") return isH264KeyframeStart;
  return undefined;
}

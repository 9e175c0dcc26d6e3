/**
 * Keyframe detection on the RTP payload (no allocation): used to switch a consumer to another
 * simulcast layer exactly at a keyframe, so the subscriber's decoder never waits for one.
 */

/** True if this VP8 RTP payload starts a keyframe (RFC 7741). */
export function isVp8KeyframeStart(payload: Buffer): boolean {
  if (payload.length < 3) return false;
  const b0 = payload[0];
  // S bit set and partition index 0: the first packet of a frame.
  if ((b0 & 0x10) === 0 || (b0 & 0x07) !== 0) return false;
  let pos = 1;
  if (b0 & 0x80) {
    const ext = payload[pos++];
    if (ext & 0x80) pos += payload[pos] & 0x80 ? 2 : 1; // PictureID, 7 or 15 bits
    if (ext & 0x40) pos++; // TL0PICIDX
    if (ext & 0x30) pos++; // TID / KEYIDX
  }
  if (pos >= payload.length) return false;
  return (payload[pos] & 0x01) === 0; // P bit of the VP8 payload header: 0 = keyframe
}

/** True if this H.264 RTP payload carries an IDR slice or SPS (RFC 6184). */
export function isH264KeyframeStart(payload: Buffer): boolean {
  if (payload.length < 2) return false;
  const nal = payload[0] & 0x1f;
  if (nal === 5 || nal === 7) return true;
  if (nal === 24) {
    // STAP-A: 16-bit sizes followed by NAL units
    let pos = 1;
    while (pos + 2 < payload.length) {
      const size = payload.readUInt16BE(pos);
      const nalType = payload[pos + 2] & 0x1f;
      if (nalType === 5 || nalType === 7) return true;
      pos += 2 + size;
    }
    return false;
  }
  if (nal === 28) return (payload[1] & 0x80) !== 0 && ((payload[1] & 0x1f) === 5 || (payload[1] & 0x1f) === 7); // FU-A start
  return false;
}

export type KeyframeDetector = (payload: Buffer) => boolean;

export function keyframeDetectorFor(mimeType: string | undefined): KeyframeDetector | undefined {
  const mime = (mimeType ?? "").toLowerCase();
  if (mime === "video/vp8") return isVp8KeyframeStart;
  if (mime === "video/h264") return isH264KeyframeStart;
  return undefined;
}

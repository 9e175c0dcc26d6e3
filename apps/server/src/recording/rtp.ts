/** The few RTP facts the recorder needs: where the payload starts and whether it starts a key frame. */
export function rtpPayloadOffset(p: Buffer): number {
  if (p.length < 12) return -1;
  let off = 12 + 4 * (p[0] & 0x0f);
  if (p[0] & 0x10) {
    if (p.length < off + 4) return -1;
    off += 4 + 4 * p.readUInt16BE(off + 2);
  }
  return off < p.length ? off : -1;
}

export function isKeyFrame(codec: string, p: Buffer): boolean {
  const off = rtpPayloadOffset(p);
  if (off < 0) return false;
  const c = codec.toUpperCase();
  if (c === "VP8") {
    let i = off;
    const b0 = p[i];
    const start = (b0 & 0x10) !== 0 && (b0 & 0x0f) === 0;
    if (!start) return false;
    i++;
    if (b0 & 0x80) {
      const x = p[i++];
      if (x & 0x80) i += p[i] & 0x80 ? 2 : 1;
      if (x & 0x40) i++;
      if (x & 0x30) i++;
    }
    return i < p.length && (p[i] & 0x01) === 0;
  }
  if (c === "H264") {
    const t = p[off] & 0x1f;
    if (t === 5 || t === 7) return true;
    if (t === 24) {
      for (let i = off + 1; i + 2 < p.length; ) {
        const size = p.readUInt16BE(i);
        const nt = p[i + 2] & 0x1f;
        if (nt === 5 || nt === 7) return true;
        i += 2 + size;
      }
      return false;
    }
    if (t === 28 && off + 1 < p.length) {
      const fu = p[off + 1];
      return (fu & 0x80) !== 0 && ((fu & 0x1f) === 5 || (fu & 0x1f) === 7);
    }
    return false;
  }
  if (c === "VP9") return (p[off] & 0x08) !== 0 && (p[off] & 0x40) === 0;
  return true;
}

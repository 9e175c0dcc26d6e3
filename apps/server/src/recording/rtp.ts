/** The few RTP facts the recorder needs: where the payload starts and whether it starts a key frame. */
export function rtpPayloadOffset(packet: Buffer): number {
  if (packet.length < 12) return -1;
  let off = 12 + 4 * (packet[0] & 0x0f);
  if (packet[0] & 0x10) {
    if (packet.length < off + 4) return -1;
    off += 4 + 4 * packet.readUInt16BE(off + 2);
  }
  return off < packet.length ? off : -1;
}

export function isKeyFrame(codec: string, packet: Buffer): boolean {
  const off = rtpPayloadOffset(packet);
  if (off < 0) return false;
  const codecName = codec.toUpperCase();
  if (codecName === "VP8") {
    let pos = off;
    const b0 = packet[pos];
    const start = (b0 & 0x10) !== 0 && (b0 & 0x0f) === 0;
    if (!start) return false;
    pos++;
    if (b0 & 0x80) {
      const ext = packet[pos++];
      if (ext & 0x80) pos += packet[pos] & 0x80 ? 2 : 1;
      if (ext & 0x40) pos++;
      if (ext & 0x30) pos++;
    }
    return pos < packet.length && (packet[pos] & 0x01) === 0;
  }
  if (codecName === "H264") {
    const nalType = packet[off] & 0x1f;
    if (nalType === 5 || nalType === 7) return true;
    if (nalType === 24) {
      for (let i = off + 1; i + 2 < packet.length; ) {
        const size = packet.readUInt16BE(i);
        const nt = packet[i + 2] & 0x1f;
        if (nt === 5 || nt === 7) return true;
        i += 2 + size;
      }
      return false;
    }
    if (nalType === 28 && off + 1 < packet.length) {
      const fu = packet[off + 1];
      return (fu & 0x80) !== 0 && ((fu & 0x1f) === 5 || (fu & 0x1f) === 7);
    }
    return false;
  }
  if (codecName === "VP9") return (packet[off] & 0x08) !== 0 && (packet[off] & 0x40) === 0;
  return true;
}

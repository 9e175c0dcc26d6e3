import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ProtectionProfileAeadAes128Gcm, ProtectionProfileAes128CmHmacSha1_80, RtpHeader, RtpPacket, SrtpSession } from "werift";
import { keysOfWeriftSession, sealRtp, srtpTagLength } from "../../../apps/server/src/media/rtp/srtp.js";
import { isH264KeyframeStart, isVp8KeyframeStart } from "../../../apps/server/src/media/rtp/keyframe.js";

describe("fast-path SRTP sealing", () => {
  for (const [name, profile, saltLen] of [
    ["AEAD_AES_128_GCM", ProtectionProfileAeadAes128Gcm, 12],
    ["AES_CM_128_HMAC_SHA1_80", ProtectionProfileAes128CmHmacSha1_80, 14],
  ] as const) {
    it(`${name}: werift's own SRTP session decrypts what sealRtp encrypts, across a sequence wrap`, () => {
      const key = randomBytes(16);
      const salt = randomBytes(saltLen);
      const session = () =>
        new SrtpSession({ keys: { localMasterKey: key, localMasterSalt: salt, remoteMasterKey: key, remoteMasterSalt: salt }, profile } as never);
      const keys = keysOfWeriftSession(session());
      const receiver = session();
      let roc = 0;
      let seq = 0xfffd;
      for (let i = 0; i < 6; i++) {
        const payload = randomBytes(100 + i);
        const header = new RtpHeader({ payloadType: 96, ssrc: 0xabcdef01, sequenceNumber: seq, timestamp: 1000 + i, marker: true });
        const plain = new RtpPacket(header, payload).serialize();
        const out = Buffer.alloc(plain.length + srtpTagLength(keys));
        plain.copy(out, 0, 0, 12);
        sealRtp(keys, out, 12, payload, header.ssrc, roc, seq);
        const decrypted = RtpPacket.deSerialize(receiver.decrypt(out));
        expect(decrypted.header.sequenceNumber).toBe(seq);
        expect(decrypted.payload.equals(payload)).toBe(true);
        seq = (seq + 1) & 0xffff;
        if (seq === 0) roc++;
      }
      // A tampered packet must not decrypt.
      const payload = randomBytes(50);
      const out = Buffer.alloc(12 + 50 + srtpTagLength(keys));
      new RtpPacket(new RtpHeader({ payloadType: 96, ssrc: 0xabcdef01, sequenceNumber: seq, timestamp: 1 }), payload).serialize().copy(out, 0, 0, 12);
      sealRtp(keys, out, 12, payload, 0xabcdef01, roc, seq);
      out[20] ^= 1;
      expect(() => receiver.decrypt(out)).toThrow();
    });
  }

  it("detects VP8 and H.264 keyframes", () => {
    expect(isVp8KeyframeStart(Buffer.from([0x10, 0x00, 0x9d, 0x01, 0x2a]))).toBe(true);
    expect(isVp8KeyframeStart(Buffer.from([0x10, 0x01, 0x00]))).toBe(false); // delta frame
    expect(isVp8KeyframeStart(Buffer.from([0x00, 0x00, 0x00]))).toBe(false); // not a frame start
    // X=1, I=1 with a 15-bit picture id, then the payload header
    expect(isVp8KeyframeStart(Buffer.from([0x90, 0x80, 0x81, 0x23, 0x00, 0x00]))).toBe(true);
    expect(isVp8KeyframeStart(Buffer.from([0x90, 0x80, 0x81, 0x23, 0x01, 0x00]))).toBe(false);
    expect(isH264KeyframeStart(Buffer.from([0x65, 0x00]))).toBe(true); // IDR
    expect(isH264KeyframeStart(Buffer.from([0x41, 0x00]))).toBe(false); // non-IDR slice
    expect(isH264KeyframeStart(Buffer.from([0x18, 0x00, 0x02, 0x67, 0x00]))).toBe(true); // STAP-A with SPS
    expect(isH264KeyframeStart(Buffer.from([0x7c, 0x85, 0x00]))).toBe(true); // FU-A start of IDR
    expect(isH264KeyframeStart(Buffer.from([0x7c, 0x05, 0x00]))).toBe(false); // FU-A continuation
  });
});

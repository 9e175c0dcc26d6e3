import { randomBytes } from "node:crypto";
import { ProtectionProfileAeadAes128Gcm, RtpHeader, RtpPacket, SrtpSession } from "werift";
import { keysOfWeriftSession, sealRtp } from "../rtp/srtp.js";

export interface SrtpFloor {
  bytes: number;
  /** werift SrtpSession.encrypt (AEAD_AES_128_GCM), µs per packet: the floor of every figure. */
  weriftEncryptUs: number;
  /** The fast path's sealRtp (GCM), µs per packet. */
  sealGcmUs: number;
  /** werift RtpPacket.deSerialize + serialize, µs per packet (what werift's sender redoes per subscriber). */
  reserializeUs: number;
}

function bench(iterations: number, fn: (i: number) => void): number {
  for (let i = 0; i < 5000; i++) fn(i);
  const c0 = process.cpuUsage();
  for (let i = 0; i < iterations; i++) fn(i);
  const usage = process.cpuUsage(c0);
  return (usage.user + usage.system) / iterations;
}

/** CPU µs per packet of the SRTP encrypt on this machine, measured in the benchmark's run. */
export function measureSrtpFloor(bytes: number, iterations = 100_000): SrtpFloor {
  const key = randomBytes(16);
  const salt = randomBytes(12);
  const session = new SrtpSession({
    keys: { localMasterKey: key, localMasterSalt: salt, remoteMasterKey: key, remoteMasterSalt: salt },
    profile: ProtectionProfileAeadAes128Gcm,
  } as never);
  const payload = randomBytes(bytes);
  const header = new RtpHeader({ payloadType: 96, ssrc: 1234, timestamp: 0, sequenceNumber: 0 });
  const weriftEncryptUs = bench(iterations, (i) => {
    header.sequenceNumber = i & 0xffff;
    session.encrypt(payload, header);
  });
  const keys = keysOfWeriftSession(session);
  const sealGcmUs = bench(iterations, (i) => {
    const out = Buffer.allocUnsafe(12 + bytes + 16);
    out.writeUInt32BE((0x80600000 | (i & 0xffff)) >>> 0, 0);
    sealRtp(keys, out, 12, payload, 1234, 0, i & 0xffff);
  });
  const ser = new RtpPacket(header, payload).serialize();
  const reserializeUs = bench(iterations, () => {
    RtpPacket.deSerialize(ser).serialize();
  });
  return { bytes, weriftEncryptUs, sealGcmUs, reserializeUs };
}

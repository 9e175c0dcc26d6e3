import { createCipheriv, createHmac } from "node:crypto";

/** SRTP session keys of one direction (derived by werift's DTLS-SRTP). */
/** "aead": AEAD_AES_128_GCM (RFC 7714); "ctr": AES_CM_128_HMAC_SHA1_80 (RFC 3711), with its HMAC-SHA1 key. */
export type SrtpKeys = { kind: "aead"; key: Buffer; salt: Buffer } | { kind: "ctr"; key: Buffer; salt: Buffer; auth: Buffer };

export const srtpTagLength = (keys: SrtpKeys) => (keys.kind === "aead" ? 16 : 10);

const iv12 = Buffer.alloc(12);
const iv16 = Buffer.alloc(16);
const rocBuf = Buffer.alloc(4);

/**
 * Encrypt in place: `out` holds the plain RTP header in [0, headerLen) and has room for the
 * payload and the tag; the ciphertext and tag are written after the header. One cipher per packet
 * (Node cannot re-key an IV on an existing cipher), no other allocation than the cipher's output.
 */
export function sealRtp(keys: SrtpKeys, out: Buffer, headerLen: number, payload: Buffer, ssrc: number, roc: number, seq: number): void {
  const payloadLen = payload.length;
  if (keys.kind === "aead") {
    iv12.writeUInt16BE(0, 0);
    iv12.writeUInt32BE(ssrc, 2);
    iv12.writeUInt32BE(roc, 6);
    iv12.writeUInt16BE(seq, 10);
    for (let i = 0; i < 12; i++) iv12[i] ^= keys.salt[i];
    const gcm = createCipheriv("aes-128-gcm", keys.key, iv12);
    gcm.setAAD(out.subarray(0, headerLen));
    gcm.update(payload).copy(out, headerLen);
    gcm.final();
    gcm.getAuthTag().copy(out, headerLen + payloadLen);
    return;
  }
  iv16.fill(0);
  iv16.writeUInt32BE(ssrc, 4);
  iv16.writeUInt32BE(roc, 8);
  iv16.writeUInt16BE(seq, 12);
  for (let i = 0; i < keys.salt.length; i++) iv16[i] ^= keys.salt[i];
  createCipheriv("aes-128-ctr", keys.key, iv16).update(payload).copy(out, headerLen);
  rocBuf.writeUInt32BE(roc, 0);
  createHmac("sha1", keys.auth)
    .update(out.subarray(0, headerLen + payloadLen))
    .update(rocBuf)
    .digest()
    .copy(out, headerLen + payloadLen, 0, 10);
}

/** The local (sending) keys of a werift SrtpSession. */
export function keysOfWeriftSession(session: unknown): SrtpKeys {
  const cipher = (
    session as { localContext: { cipher: { srtpSessionKey: Buffer; srtpSessionSalt: Buffer; srtpSessionAuthTag?: Buffer; aeadAuthTagLen?: number } } }
  ).localContext.cipher;
  if (cipher.aeadAuthTagLen) return { kind: "aead", key: cipher.srtpSessionKey, salt: cipher.srtpSessionSalt };
  if (!cipher.srtpSessionAuthTag) throw new Error("werift's SRTP session has neither an AEAD cipher nor an HMAC key");
  return { kind: "ctr", key: cipher.srtpSessionKey, salt: cipher.srtpSessionSalt, auth: cipher.srtpSessionAuthTag };
}

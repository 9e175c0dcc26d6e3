import type { RTCPeerConnection } from "werift";

/** The smallest round-trip time werift's consent checks assume for an established transport (seconds). */
export const CONSENT_RTT_FLOOR_S = 1.5;

interface PairLike {
  rtt?: number;
}

const patched = new WeakSet<object>();

/**
 * werift checks consent (RFC 7675) on the nominated pair every 4–6 s and waits for each answer
 * max(500 ms, 2 × rtt + 200 ms); an answer the event loop reads later than that is dropped as
 * lost, and 30 s without an accepted answer fails the transport. A worker busy for a second (a
 * join storm, a CPU shared with other processes) would thus fail transports whose clients
 * answered on time. From here on the pair's rtt reads at least CONSENT_RTT_FLOOR_S (the wait:
 * 3.2 s, still inside the 4–6 s cadence); what werift measures is kept and written as before.
 * werift's constants are module variables of its ESM bundle, so the pair is where this can be said.
 * Reads werift internals (the nominated pair, as rtp/FastSink.ts reads its socket).
 */
export function tolerateLoopStalls(pc: RTCPeerConnection, floorSeconds = CONSENT_RTT_FLOOR_S): void {
  for (const transceiver of pc.getTransceivers()) {
    const dtls = transceiver.dtlsTransport as unknown as { iceTransport?: { connection?: { nominated?: PairLike } } } | undefined;
    const pair = dtls?.iceTransport?.connection?.nominated;
    if (!pair || patched.has(pair)) continue;
    patched.add(pair);
    let measured = pair.rtt;
    Object.defineProperty(pair, "rtt", {
      configurable: true,
      enumerable: true,
      get: () => Math.max(measured ?? 0, floorSeconds),
      set: (value: number | undefined) => {
        measured = value;
      },
    });
  }
}

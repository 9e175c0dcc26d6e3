import { ReceiverEstimatedMaxBitrate, RtcpPayloadSpecificFeedback, type RTCRtpTransceiver } from "werift";
import type { Producer } from "./Producer.js";
import type { ProducerSource } from "./types.js";

/**
 * The REMB cap a send transport gives its publisher (Transport.tick, once a second): one REMB
 * naming the SSRCs of every layer of the transport's video producers, with the sum of their
 * sources' caps (`rembBps`, MEDIA_REMB_*_BPS). Audio producers are left out; nothing is sent
 * when no video producer has a known SSRC or the caps add up to 0.
 */
export function sendRembCap(producers: Iterable<Producer>, rembBps: Record<ProducerSource, number>): void {
  let bps = 0;
  const ssrcs: number[] = [];
  let transceiver: RTCRtpTransceiver | undefined;
  for (const p of producers) {
    if (p.kind !== "video") continue;
    bps += rembBps[p.source] ?? 0;
    for (const l of p.layers) if (l.ssrc !== undefined) ssrcs.push(l.ssrc);
    transceiver ??= p.transceiver;
  }
  if (!transceiver || bps <= 0 || ssrcs.length === 0) return;
  let exp = 0;
  let mantissa = bps;
  while (mantissa >= 1 << 18) {
    mantissa = Math.floor(mantissa / 2);
    exp++;
  }
  const packet = new RtcpPayloadSpecificFeedback({
    feedback: new ReceiverEstimatedMaxBitrate({
      senderSsrc: transceiver.receiver.rtcpSsrc,
      mediaSsrc: 0,
      ssrcNum: ssrcs.length,
      brExp: exp,
      brMantissa: mantissa,
      ssrcFeedbacks: ssrcs,
    }),
  });
  transceiver.receiver.dtlsTransport?.sendRtcp([packet]).catch(() => {});
}

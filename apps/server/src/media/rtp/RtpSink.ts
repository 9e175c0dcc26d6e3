import type { RtpHeader } from "werift";

/** Where a consumer writes its packets: one outgoing RTP stream of a subscriber's connection. */
export interface RtpSink {
  /** Send one plain RTP packet (serialized by the producer, shared by all consumers: do not mutate it). */
  send(packet: Buffer): void;
  /** The source stream changes (simulcast layer switch): keep sequence numbers and timestamps continuous. */
  rebase(nextHeader: RtpHeader): void;
  close(): void;
}

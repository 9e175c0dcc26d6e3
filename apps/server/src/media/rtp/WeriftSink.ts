import type { RTCRtpSender, RtpHeader } from "werift";
import type { RtpSink } from "./RtpSink.js";

/**
 * The plain werift path: `RTCRtpSender.sendRtp(buffer)`. Per packet it parses the buffer again,
 * rebuilds the header extensions, serializes the header and encrypts. Kept as the reference
 * path (MEDIA_FAST_PATH=0) for the benchmark's before/after.
 */
export class WeriftSink implements RtpSink {
  constructor(private readonly sender: RTCRtpSender) {}

  send(packet: Buffer): void {
    this.sender.sendRtp(packet).catch(() => {});
  }

  rebase(nextHeader: RtpHeader): void {
    this.sender.replaceRTP(nextHeader, true);
  }

  close(): void {}
}

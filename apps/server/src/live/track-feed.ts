import dgram from "node:dgram";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { OrderedRtp } from "../recording/ordered-rtp.js";
import type { RecorderTrack } from "../recording/source.js";
import { freePortPair, udpBound } from "../recording/udp-ports.js";

/** The SDP FFmpeg reads one track from (plain RTP on loopback). */
export function sdpFor(track: Pick<RecorderTrack, "kind" | "codec">, port: number): string {
  const codec = track.codec;
  const channels = codec.channels && codec.channels > 1 ? `/${codec.channels}` : track.kind === "audio" && codec.name.toLowerCase() === "opus" ? "/2" : "";
  return [
    "v=0",
    "o=- 0 0 IN IP4 127.0.0.1",
    "s=vtp-live",
    "c=IN IP4 127.0.0.1",
    "t=0 0",
    `m=${track.kind} ${port} RTP/AVP ${codec.payloadType}`,
    `a=rtpmap:${codec.payloadType} ${codec.name}/${codec.clockRate}${channels}`,
    ...(codec.fmtp ? [`a=fmtp:${codec.payloadType} ${codec.fmtp}`] : []),
    "a=recvonly",
    "",
  ].join("\r\n");
}

/**
 * One track of the class on its way into the live compositor: its RTP, in order and (video)
 * from a key frame on (the recorder's OrderedRtp), sent over loopback UDP to the port the
 * compositor's FFmpeg reads. Each compositor run gets fresh ports (`prepare`), and packets flow
 * only once FFmpeg has bound them (`open`), starting at a new key frame.
 */
export class TrackFeed {
  private readonly udp = dgram.createSocket("udp4");
  private readonly ordered: OrderedRtp;
  private unsubscribe?: () => void;
  private keyTimer?: NodeJS.Timeout;
  private port = 0;
  private open = false;
  /** When this feed's port was opened, on the compositor run's clock (ms; -1: not yet). */
  openedAtMs = -1;
  packets = 0;
  closed = false;
  private lastPacketAt = 0;

  /**
   * `onResume`: the track sends again after more than 8 s of silence (a paused camera): FFmpeg
   * has ended that input by then (its RTP read times out after 10 s), so the layout is rebuilt.
   */
  constructor(
    readonly track: RecorderTrack,
    private readonly onResume: () => void = () => {},
  ) {
    this.udp.on("error", () => {});
    this.ordered = new OrderedRtp({
      kind: track.kind,
      codec: track.codec.name,
      clockRate: track.codec.clockRate,
      emit: (packet) => this.send(packet),
      onNeedKeyFrame: () => track.requestKeyFrame(),
    });
    this.unsubscribe = track.onRtp((packet) => this.ordered.push(packet));
    if (track.kind === "video") {
      // Asks again every second while the video waits for a key frame (a PLI or its answer can be lost).
      this.keyTimer = setInterval(() => {
        if (this.open && this.ordered.waitingForKeyFrame) track.requestKeyFrame();
      }, 1000);
      this.keyTimer.unref?.();
    }
  }

  /** A new port and SDP file for the next compositor run (nothing is sent until `openWhenBound`). */
  async prepare(dir: string, index: number): Promise<string> {
    this.open = false;
    this.openedAtMs = -1;
    this.port = await freePortPair();
    const file = path.join(dir, `input-${index}.sdp`);
    writeFileSync(file, sdpFor(this.track, this.port));
    return file;
  }

  /** Starts sending once FFmpeg has bound the port (true: it has, now or before). */
  openWhenBound(clockMs: number): boolean {
    if (this.open) return true;
    if (udpBound(this.port) === false) return false;
    this.open = true;
    this.openedAtMs = clockMs;
    this.ordered.requireKeyFrame();
    if (this.track.kind === "video") this.track.requestKeyFrame();
    return true;
  }

  /** The compositor stopped: nothing more is sent until the next run opens the feed. */
  pause(): void {
    this.open = false;
  }

  private send(packet: Buffer) {
    if (!this.open || this.closed) return;
    const now = performance.now();
    if (this.packets > 0 && now - this.lastPacketAt > 8000) this.onResume();
    this.lastPacketAt = now;
    this.packets++;
    this.udp.send(packet, this.port, "127.0.0.1");
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.open = false;
    if (this.keyTimer) clearInterval(this.keyTimer);
    this.unsubscribe?.();
    this.ordered.close();
    this.udp.close();
  }
}

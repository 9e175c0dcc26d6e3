import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket, useAudioLevelIndication, useOPUS, useSdesMid, type RTCRtpTransceiver } from "werift";
import type { ClientEventName } from "@vtp/protocol";
import type { TestClient } from "../rooms/helpers.js";

const pcConfig = () => ({
  iceServers: [],
  iceUseIpv6: false,
  codecs: { audio: [useOPUS()] },
  headerExtensions: { audio: [useSdesMid(), useAudioLevelIndication()] },
});
const URI_AUDIO_LEVEL = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";

/**
 * A browser stand-in for the breakout media tests, speaking the socket's media events as the web
 * client does: a microphone (crafted Opus-sized RTP, 50 packets/s) on a send transport, and a recv
 * transport that consumes what it is told about and counts the packets of each producer.
 */
export class GroupMediaClient {
  private readonly sender = new RTCPeerConnection(pcConfig());
  private readonly receiver = new RTCPeerConnection(pcConfig());
  private recvTransportId = "";
  private timer: NodeJS.Timeout | undefined;
  /** Packets received per producer id. */
  readonly packets = new Map<string, number>();
  private readonly producerOfMid = new Map<string, string>();
  microphoneId = "";

  /** `level`: the RFC 6464 level (−dBov) each microphone packet carries: 30 speaks, 127 is silence. */
  constructor(
    readonly client: TestClient,
    readonly level = 30,
  ) {
    this.receiver.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe(() => {
        const mid = this.receiver.getTransceivers().find((t) => t.receiver.tracks.includes(track))?.mid;
        const producerId = mid ? this.producerOfMid.get(mid) : undefined;
        if (producerId) this.packets.set(producerId, (this.packets.get(producerId) ?? 0) + 1);
      });
    });
  }

  private ok<A extends { ok: boolean }>(event: ClientEventName, ack: A): A {
    if (!ack.ok) throw new Error(`${this.client.name}: ${event} failed: ${JSON.stringify(ack)}`);
    return ack;
  }

  /** A recv transport; returns the producers already in the media room. */
  async startReceiving(): Promise<{ producerId: string; peerId: string }[]> {
    const ack = this.ok("create-transport", await this.client.emit("create-transport", { direction: "recv" }));
    this.recvTransportId = ack.transportId;
    return ack.producers;
  }

  /** Publishes a microphone and starts sending RTP. */
  async publishMicrophone(): Promise<string> {
    const { transportId } = this.ok("create-transport", await this.client.emit("create-transport", { direction: "send" }));
    const track = new MediaStreamTrack({ kind: "audio" });
    const transceiver: RTCRtpTransceiver = this.sender.addTransceiver(track, { direction: "sendonly" });
    await this.sender.setLocalDescription(await this.sender.createOffer());
    const connected = this.ok(
      "connect-transport",
      await this.client.emit("connect-transport", { transportId, description: { type: "offer", sdp: this.sender.localDescription!.sdp } }),
    );
    await this.sender.setRemoteDescription(connected.answer!);
    const produced = this.ok(
      "produce",
      await this.client.emit("produce", { transportId, kind: "audio", source: "microphone", mid: transceiver.mid ?? undefined }),
    );
    this.microphoneId = produced.producerId;
    let seq = 100;
    let timestamp = 1000;
    const levelId = transceiver.headerExtensions.find((e) => e.uri === URI_AUDIO_LEVEL)?.id;
    this.timer = setInterval(() => {
      const header = new RtpHeader({ payloadType: 111, ssrc: 0x2222, sequenceNumber: seq, timestamp });
      if (levelId) header.extensions = [{ id: levelId, payload: Buffer.from([0x80 | this.level]) }];
      track.writeRtp(new RtpPacket(header, Buffer.alloc(120, 0x55)));
      seq = (seq + 1) & 0xffff;
      timestamp = (timestamp + 960) >>> 0;
    }, 20);
    return produced.producerId;
  }

  /** Consumes a producer (answering the server's offer); the ack's error code when refused. */
  async consume(producerId: string): Promise<string | undefined> {
    const ack = await this.client.emit("consume", { producerId, transportId: this.recvTransportId });
    if (!ack.ok) return ack.error.code;
    this.producerOfMid.set(ack.mid, producerId);
    await this.receiver.setRemoteDescription(ack.offer);
    await this.receiver.setLocalDescription(await this.receiver.createAnswer());
    this.ok(
      "connect-transport",
      await this.client.emit("connect-transport", {
        transportId: this.recvTransportId,
        description: { type: "answer", sdp: this.receiver.localDescription!.sdp },
      }),
    );
    return undefined;
  }

  received(producerId: string): number {
    return this.packets.get(producerId) ?? 0;
  }

  async close() {
    clearInterval(this.timer);
    await this.sender.close().catch(() => {});
    await this.receiver.close().catch(() => {});
  }
}

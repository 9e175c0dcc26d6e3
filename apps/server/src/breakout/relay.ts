import type { Logger } from "pino";
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket, useOPUS, useSdesMid, type RTCRtpTransceiver } from "werift";
import { AppError } from "../errors/index.js";
import type { MediaService } from "../media/index.js";
import { disableWeriftDefaultStun } from "../rtc/no-default-stun.js";

const pcConfig = () => ({ iceServers: [], iceUseIpv6: false, codecs: { audio: [useOPUS()] }, headerExtensions: { audio: [useSdesMid()] } });

interface Outlet {
  roomId: string;
  pc: RTCPeerConnection;
  track: MediaStreamTrack;
}

/**
 * The teacher's voice in every group (issue 16): a peer of this app server (`broadcast:<session>`)
 * consumes the host's microphone producer in the room where the host is (a werift recv transport,
 * as the recorder does) and publishes each packet into every group's media room (a werift send
 * transport per group, source "microphone"). Only the public MediaService interface is used, so
 * the groups may be on any media worker or node; the groups' people consume it like any producer.
 */
export class BroadcastRelay {
  private readonly inlet = new RTCPeerConnection(pcConfig());
  private readonly outlets: Outlet[] = [];
  private stopped = false;
  /** Packets forwarded (for logs and tests). */
  forwarded = 0;

  constructor(
    private readonly media: MediaService,
    private readonly peerId: string,
    private readonly log: Logger,
  ) {
    // No public STUN server is asked (the app server may have no internet; the SFU is reached directly).
    disableWeriftDefaultStun();
    this.inlet.onTrack.subscribe((track) =>
      track.onReceiveRtp.subscribe((rtp) => {
        if (this.stopped) return;
        const fields = {
          payloadType: rtp.header.payloadType,
          sequenceNumber: rtp.header.sequenceNumber,
          timestamp: rtp.header.timestamp,
          marker: rtp.header.marker,
          ssrc: rtp.header.ssrc,
        };
        // Each outlet's sender rewrites the header it is given (SSRC, sequence, extensions) and keeps the
        // packet for retransmission: every group gets its own copy.
        for (const outlet of this.outlets) outlet.track.writeRtp(new RtpPacket(new RtpHeader({ ...fields }), rtp.payload));
        if (this.forwarded++ === 0) this.log.info({ peerId: this.peerId, groups: this.outlets.length }, "broadcast: the host's microphone reaches the relay");
      }),
    );
  }

  /** Consumes `producerId` (a microphone) in `sourceRoomId`, then publishes it into each of `groupRoomIds`. */
  async start(sourceRoomId: string, producerId: string, groupRoomIds: string[], userId: string): Promise<void> {
    this.watch(this.inlet, sourceRoomId, "inlet");
    await this.media.joinPeer(sourceRoomId, this.peerId, userId);
    const { transportId } = await this.media.createTransport(sourceRoomId, this.peerId, "recv");
    const consumed = await this.media.consume(sourceRoomId, this.peerId, { producerId, transportId });
    await this.inlet.setRemoteDescription(consumed.offer);
    await this.inlet.setLocalDescription(await this.inlet.createAnswer());
    const answer = this.inlet.localDescription;
    if (!answer) throw new AppError("MEDIA_UNAVAILABLE", "The broadcast could not connect");
    await this.media.connectTransport(sourceRoomId, this.peerId, transportId, { type: "answer", sdp: answer.sdp });
    this.sourceRoomId = sourceRoomId;
    // All groups at once: each is its own media room (on any worker or node).
    await Promise.all(groupRoomIds.map((roomId) => this.publishInto(roomId, userId)));
  }

  private sourceRoomId: string | undefined;

  private async publishInto(roomId: string, userId: string): Promise<void> {
    const pc = new RTCPeerConnection(pcConfig());
    const track = new MediaStreamTrack({ kind: "audio" });
    const transceiver: RTCRtpTransceiver = pc.addTransceiver(track, { direction: "sendonly" });
    this.outlets.push({ roomId, pc, track });
    this.watch(pc, roomId, "outlet");
    await this.media.joinPeer(roomId, this.peerId, userId);
    const { transportId } = await this.media.createTransport(roomId, this.peerId, "send");
    await pc.setLocalDescription(await pc.createOffer());
    const offer = pc.localDescription;
    if (!offer) throw new AppError("MEDIA_UNAVAILABLE", "The broadcast could not connect");
    const connected = await this.media.connectTransport(roomId, this.peerId, transportId, { type: "offer", sdp: offer.sdp });
    if (connected.answer) await pc.setRemoteDescription(connected.answer);
    await this.media.produce(roomId, this.peerId, { transportId, kind: "audio", source: "microphone", ...(transceiver.mid ? { mid: transceiver.mid } : {}) });
  }

  /** Logs the connection states of the relay's peer connections (a stalled ICE shows here). */
  private watch(pc: RTCPeerConnection, roomId: string, side: "inlet" | "outlet") {
    pc.connectionStateChange.subscribe((state) => {
      if (this.stopped) return;
      this.log[state === "failed" || state === "disconnected" ? "warn" : "debug"](
        { peerId: this.peerId, roomId, side, state, forwarded: this.forwarded },
        "broadcast relay connection",
      );
    });
  }

  /** Closes every transport of the relay (its producers in the groups go with them). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const rooms = [...this.outlets.map((outlet) => outlet.roomId), ...(this.sourceRoomId ? [this.sourceRoomId] : [])];
    for (const outlet of this.outlets) void outlet.pc.close().catch(() => {});
    void this.inlet.close().catch(() => {});
    for (const roomId of rooms) await this.media.leavePeer(roomId, this.peerId).catch((err) => this.log.debug({ err, roomId }, "broadcast peer already gone"));
  }
}

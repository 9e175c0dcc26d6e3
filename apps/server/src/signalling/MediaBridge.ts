import type { Logger } from "pino";
import { MEDIA_CLIENT_EVENTS, MediaEventSchemas, QUALITY_MEDIA_EVENTS, type ParticipantMediaState } from "@vtp/protocol";
import type { MediaEvent, MediaService, ProducerSource } from "../media/index.js";
import { AppError } from "../errors/index.js";
import type { MediaTimeTracker } from "../attendance/media-time-tracker.js";
import type { SignallingServer } from "./SignallingServer.js";
import type { HandlerContext } from "./handlers.js";
import type { LiveParticipant } from "./state/index.js";

export { MediaEventSchemas };

const NODE_CHANNEL = "media-cleanup";
type MediaCleanup = { op: "leave"; roomId: string; peerId: string } | { op: "close-producers"; roomId: string; peerId: string; sources?: ProducerSource[] };

/** The media room of a participant's media (a breakout group's members publish without promotion). */
export type MediaRoomOf = (participant: LiveParticipant) => Promise<{ mediaRoomId: string; inGroup: boolean }>;

/** What the media bridge uses of signalling: its events, hooks, live state, sends, node messages, and the classroom's rules. */
export type MediaSignalling = Pick<SignallingServer, "defineHandler" | "hooks" | "state" | "out" | "classroom" | "toOtherNodes" | "onNodeMessage">;

const MEDIA_FLAG: Record<ProducerSource, keyof ParticipantMediaState | null> = { camera: "video", microphone: "audio", screen: "screen", "screen-audio": null };

/** Registers the media events answered MEDIA_UNAVAILABLE, for a server without media (VTP_MEDIA=off). */
export function refuseMediaEvents(sig: Pick<SignallingServer, "defineHandler">) {
  for (const event of [...MEDIA_CLIENT_EVENTS, ...QUALITY_MEDIA_EVENTS]) {
    sig.defineHandler(event, async () => {
      throw new AppError("MEDIA_UNAVAILABLE", "Media is not available on this server");
    });
  }
}

/**
 * Connects the classroom to the SFU: the media socket events (checked against the caller's
 * participant and room, publishing only for those allowed), media events back to the sockets,
 * and the classroom hooks that close media (leave, removal, demotion, mute, end). The media
 * service is started on the first media event, so servers and tests that never use media
 * never start workers.
 */
export class MediaBridge {
  private media: Promise<MediaService> | undefined;
  private ready: MediaService | undefined;
  private readonly producers = new Map<string, { roomId: string; peerId: string; source: ProducerSource }>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly sig: MediaSignalling,
    private readonly factory: () => Promise<MediaService>,
    /**
     * `mediaTime`: talk and camera time of this node's participants, added to their attendance sessions.
     * `mediaRoomOf`: the media room a participant's media events act in (a breakout group's, issue 16); the class's by default.
     */
    private readonly opts: { log: Logger; ownsMedia: boolean; mediaTime?: MediaTimeTracker; mediaRoomOf?: MediaRoomOf },
  ) {
    this.defineHandlers();
    this.hookUp();
  }

  /** The media service (started on first use); also used by the recorder, a participant of the room. */
  async service(): Promise<MediaService> {
    if (this.ready) return this.ready;
    this.media ??= this.factory().then(
      (service) => {
        this.ready = service;
        this.unsubscribe = service.onEvent((event) => void this.onMediaEvent(event).catch((err) => this.opts.log.warn({ err }, "media event not delivered")));
        return service;
      },
      (err) => {
        this.media = undefined;
        this.opts.log.error({ err }, "media could not start");
        throw new AppError("MEDIA_UNAVAILABLE", "Media is not available right now");
      },
    );
    return this.media;
  }

  /** The caller's participant and the media service (started on first use). */
  private async peer(
    ctx: HandlerContext,
    roomId: string | undefined,
  ): Promise<{ participant: LiveParticipant; media: MediaService; room: string; inGroup: boolean }> {
    const participant = await ctx.member(roomId);
    const placed = (await this.opts.mediaRoomOf?.(participant)) ?? { mediaRoomId: participant.roomId, inGroup: false };
    return { participant, media: await this.service(), room: placed.mediaRoomId, inGroup: placed.inGroup };
  }

  /** The media events, each acting as the caller's participant (the media peer id). */
  private defineHandlers() {
    const on = this.sig.defineHandler.bind(this.sig);
    on("create-transport", async (ctx, { roomId, direction }) => {
      const { participant, media, room } = await this.peer(ctx, roomId);
      const joined = await media.joinPeer(room, participant.id, participant.userId);
      return { ...(await media.createTransport(room, participant.id, direction)), producers: joined.producers };
    });
    on("connect-transport", async (ctx, { roomId, transportId, description }) => {
      const { participant, media, room } = await this.peer(ctx, roomId);
      return media.connectTransport(room, participant.id, transportId, description);
    });
    on("produce", async (ctx, { roomId, transportId, kind, source, mid }) => {
      const { participant, media, room, inGroup } = await this.peer(ctx, roomId);
      if (!inGroup && !(await this.sig.classroom.mayPublish(participant)))
        throw new AppError("NOT_ALLOWED_TO_PUBLISH", "Ask the host to make you a presenter to share audio or video");
      return media.produce(room, participant.id, { transportId, kind, source, ...(mid ? { mid } : {}) });
    });
    on("consume", async (ctx, { roomId, producerId, transportId }) => {
      const { participant, media, room } = await this.peer(ctx, roomId);
      return media.consume(room, participant.id, { producerId, transportId });
    });
    on("close-producer", async (ctx, { roomId, producerId }) => {
      const { participant, media, room } = await this.peer(ctx, roomId);
      await media.closeProducer(room, producerId, participant.id);
    });
    on("close-consumer", async (ctx, { roomId, consumerId }) => {
      const { participant, media, room } = await this.peer(ctx, roomId);
      await media.closeConsumer(room, consumerId, participant.id);
    });
    on("set-preferred-layer", async (ctx, { roomId, consumerId, layer }) => {
      const { participant, media, room } = await this.peer(ctx, roomId);
      await media.setPreferredLayer(room, consumerId, layer, participant.id);
    });
    // Low-bandwidth mode (docs/MEDIA.md): the server stops forwarding the paused consumer at all.
    on("pause-consumer", async (ctx, { roomId, consumerId, paused }) => {
      const { participant, media, room } = await this.peer(ctx, roomId);
      await media.setConsumerPaused(room, consumerId, paused, participant.id);
      return { paused };
    });
    on("leave-media", async (ctx, { roomId }) => {
      const { participant, media, room } = await this.peer(ctx, roomId);
      // Starting over: whatever is left of my media goes (nothing left is fine).
      await media.leavePeer(room, participant.id).catch((err) => {
        const code = err instanceof AppError ? err.code : undefined;
        if (code !== "ROOM_NOT_FOUND" && code !== "PARTICIPANT_NOT_FOUND") throw err;
      });
    });
  }

  /**
   * Every node subscribed to a media node gets all its events (and an in-process SFU only has
   * this node's peers), so events go to this node's sockets only: each socket gets one copy.
   */
  private async onMediaEvent(event: MediaEvent) {
    const out = this.sig.out;
    switch (event.type) {
      case "producer-new":
        this.producers.set(event.producer.producerId, { roomId: event.roomId, peerId: event.peerId, source: event.producer.source });
        out.toRoomLocal(event.roomId, "new-producer", { roomId: event.roomId, peerId: event.peerId, producer: event.producer });
        await this.trackMediaTime(event.roomId, event.peerId, event.producer.producerId, event.producer.source);
        await this.setFlag(event.roomId, event.peerId, event.producer.source, true);
        break;
      case "producer-closed": {
        const known = this.producers.get(event.producerId);
        this.producers.delete(event.producerId);
        this.opts.mediaTime?.producerClosed(event.producerId);
        out.toRoomLocal(event.roomId, "producer-closed", { roomId: event.roomId, peerId: event.peerId, producerId: event.producerId, reason: event.reason });
        if (known) await this.setFlag(event.roomId, event.peerId, known.source, false);
        break;
      }
      case "consumer-closed": {
        const participant = await this.sig.state.get(event.roomId, event.peerId);
        if (participant)
          out.toSocketLocal(participant.socketId, "consumer-closed", {
            roomId: event.roomId,
            consumerId: event.consumerId,
            producerId: event.producerId,
            reason: event.reason,
          });
        break;
      }
      case "peer-quality": {
        // Each participant sees their own quality; the hosts see everyone's (never other students).
        const participant = await this.sig.state.get(event.roomId, event.peerId);
        if (!participant) break;
        const payload = { roomId: event.roomId, participantId: event.peerId, ...event.quality };
        if (participant.connected) out.toSocketLocal(participant.socketId, "connection-quality", payload);
        out.toHostsLocal(event.roomId, "connection-quality", payload, participant.socketId);
        break;
      }
      case "speaking-time":
        this.opts.mediaTime?.spoke(event.roomId, event.peers);
        break;
      case "room-closed":
        // The worker or node that held the room died: everyone here starts their media over.
        if (event.reason === "media-lost") {
          this.opts.log.warn({ roomId: event.roomId }, "the media of a room was lost; its participants start over");
          out.toRoomLocal(event.roomId, "media-reset", { roomId: event.roomId, reason: "media-lost" });
        }
        break;
      case "transport-closed": {
        // The server gave up on one of a participant's connections (no packets, ICE or DTLS failed).
        if (event.reason !== "failed") break;
        const participant = await this.sig.state.get(event.roomId, event.peerId);
        if (participant?.connected) out.toSocketLocal(participant.socketId, "media-reset", { roomId: event.roomId, reason: "transport-failed" });
        break;
      }
      default:
        break;
    }
  }

  /** Talk and camera time count for the participants whose socket is on this node (each once). */
  private async trackMediaTime(roomId: string, peerId: string, producerId: string, source: ProducerSource) {
    const tracker = this.opts.mediaTime;
    if (!tracker) return;
    const participant = await this.sig.state.get(roomId, peerId);
    if (!participant || !this.sig.out.isLocal(participant.socketId)) return;
    tracker.producerOpened(roomId, peerId, producerId, source, participant.attendanceId);
  }

  /** Keeps `participant.media` in step with the producers, for everyone's participant list. */
  private async setFlag(roomId: string, peerId: string, source: ProducerSource, on: boolean) {
    const flag = MEDIA_FLAG[source];
    if (!flag) return;
    const participant = await this.sig.state.get(roomId, peerId);
    // The node that holds the publisher's socket speaks for it (once, to every node).
    if (!participant || participant.media[flag] === on || !this.sig.out.isLocal(participant.socketId)) return;
    const up = await this.sig.state.update(roomId, peerId, { media: { [flag]: on } });
    if (up) await this.sig.classroom.participantUpdated(up);
  }

  /** Health of the media service, without starting it. */
  async status(): Promise<{ started: boolean; ok?: boolean; workers?: number; rooms?: number; peers?: number }> {
    if (!this.ready) return { started: false };
    const health = await this.ready.health().catch(() => ({ ok: false, workers: 0, rooms: 0, peers: 0 }));
    return { started: true, ...health };
  }

  /** Runs a cleanup on this node's media service when it is running; "already gone" is fine. */
  private async apply(cleanup: MediaCleanup) {
    const media = this.ready;
    if (!media) return;
    try {
      if (cleanup.op === "leave") await media.leavePeer(cleanup.roomId, cleanup.peerId);
      else await media.closeProducersOf(cleanup.roomId, cleanup.peerId, cleanup.sources ? { sources: cleanup.sources } : undefined);
    } catch (err) {
      const code = err instanceof AppError ? err.code : undefined;
      if (code !== "ROOM_NOT_FOUND" && code !== "PARTICIPANT_NOT_FOUND") this.opts.log.warn({ err, cleanup }, "media cleanup failed");
    }
  }

  /**
   * A hook fires on the node that handled the action, but the participant's media may live in
   * another node's in-process SFU: clean up here and ask every other node to do the same (for a
   * shared media node the repeats find nothing left to close).
   */
  private async cleanup(cleanup: MediaCleanup) {
    this.sig.toOtherNodes(NODE_CHANNEL, cleanup);
    await this.apply(cleanup);
  }

  private hookUp() {
    const hooks = this.sig.hooks;
    this.sig.onNodeMessage(NODE_CHANNEL, (message) => void this.apply(message as MediaCleanup));
    hooks.on("participant-left", ({ roomId, participant }) => this.cleanup({ op: "leave", roomId, peerId: participant.id }));
    // A new connection (reconnect, another tab) must build new transports; the old ones are dead.
    hooks.on("participant-resumed", ({ roomId, participant, previousSocketId }) =>
      previousSocketId === participant.socketId ? undefined : this.cleanup({ op: "leave", roomId, peerId: participant.id }),
    );
    hooks.on("participant-role-changed", ({ roomId, participant, canPublish: may }) =>
      may ? undefined : this.cleanup({ op: "close-producers", roomId, peerId: participant.id }),
    );
    hooks.on("participant-muted", ({ roomId, participant }) =>
      this.cleanup({ op: "close-producers", roomId, peerId: participant.id, sources: ["microphone"] }),
    );
    hooks.on("room-updated", async ({ roomId, room }) => {
      if (room.settings.studentsCanPublish) return;
      for (const p of await this.sig.state.list(roomId)) if (p.role === "student") await this.cleanup({ op: "close-producers", roomId, peerId: p.id });
    });
    hooks.on("room-ended", async ({ roomId, participants }) => {
      for (const p of participants) await this.cleanup({ op: "leave", roomId, peerId: p.id });
    });
  }

  /** Closing the media first lets its last events (speaking time, closed cameras) be counted and written. */
  async close() {
    if (this.opts.ownsMedia && this.ready) await this.ready.close();
    this.unsubscribe?.();
    await this.opts.mediaTime?.close().catch((err) => this.opts.log.warn({ err }, "talk and camera time not written at shutdown"));
  }
}

import type { Logger } from "pino";
import { MEDIA_CLIENT_EVENTS, MediaEventSchemas, type ParticipantMediaState } from "@vtp/protocol";
import type { MediaEvent, MediaService, ProducerSource } from "../media/index.js";
import { AppError } from "../errors/index.js";
import type { SignallingServer } from "./SignallingServer.js";
import type { HandlerContext } from "./handlers.js";
import type { LiveParticipant } from "./state/index.js";

export { MediaEventSchemas };

const NODE_CHANNEL = "media-cleanup";
type MediaCleanup = { op: "leave"; roomId: string; peerId: string } | { op: "close-producers"; roomId: string; peerId: string; sources?: ProducerSource[] };

/** What the media bridge uses of signalling: its events, hooks, live state, sends, node messages, and the classroom's rules. */
export type MediaSignalling = Pick<SignallingServer, "defineHandler" | "hooks" | "state" | "out" | "classroom" | "toOtherNodes" | "onNodeMessage">;

const MEDIA_FLAG: Record<ProducerSource, keyof ParticipantMediaState | null> = { camera: "video", microphone: "audio", screen: "screen", "screen-audio": null };

/** Registers the media events answered MEDIA_UNAVAILABLE, for a server without media (VTP_MEDIA=off). */
export function refuseMediaEvents(sig: Pick<SignallingServer, "defineHandler">) {
  for (const event of MEDIA_CLIENT_EVENTS) {
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
    private readonly opts: { log: Logger; ownsMedia: boolean },
  ) {
    this.defineHandlers();
    this.hookUp();
  }

  /** The media service (started on first use); also used by the recorder, a participant of the room. */
  async service(): Promise<MediaService> {
    if (this.ready) return this.ready;
    this.media ??= this.factory().then(
      (m) => {
        this.ready = m;
        this.unsubscribe = m.onEvent((e) => void this.onMediaEvent(e).catch((err) => this.opts.log.warn({ err }, "media event not delivered")));
        return m;
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
  private async peer(ctx: HandlerContext, roomId: string | undefined): Promise<{ p: LiveParticipant; m: MediaService }> {
    const p = await ctx.member(roomId);
    return { p, m: await this.service() };
  }

  /** The media events, each acting as the caller's participant (the media peer id). */
  private defineHandlers() {
    const on = this.sig.defineHandler.bind(this.sig);
    on("create-transport", async (ctx, { roomId, direction }) => {
      const { p, m } = await this.peer(ctx, roomId);
      const joined = await m.joinPeer(p.roomId, p.id, p.userId);
      return { ...(await m.createTransport(p.roomId, p.id, direction)), producers: joined.producers };
    });
    on("connect-transport", async (ctx, { roomId, transportId, description }) => {
      const { p, m } = await this.peer(ctx, roomId);
      return m.connectTransport(p.roomId, p.id, transportId, description);
    });
    on("produce", async (ctx, { roomId, transportId, kind, source, mid }) => {
      const { p, m } = await this.peer(ctx, roomId);
      if (!(await this.sig.classroom.mayPublish(p)))
        throw new AppError("NOT_ALLOWED_TO_PUBLISH", "Ask the host to make you a presenter to share audio or video");
      return m.produce(p.roomId, p.id, { transportId, kind, source, ...(mid ? { mid } : {}) });
    });
    on("consume", async (ctx, { roomId, producerId, transportId }) => {
      const { p, m } = await this.peer(ctx, roomId);
      return m.consume(p.roomId, p.id, { producerId, transportId });
    });
    on("close-producer", async (ctx, { roomId, producerId }) => {
      const { p, m } = await this.peer(ctx, roomId);
      await m.closeProducer(p.roomId, producerId, p.id);
    });
    on("close-consumer", async (ctx, { roomId, consumerId }) => {
      const { p, m } = await this.peer(ctx, roomId);
      await m.closeConsumer(p.roomId, consumerId, p.id);
    });
    on("set-preferred-layer", async (ctx, { roomId, consumerId, layer }) => {
      const { p, m } = await this.peer(ctx, roomId);
      await m.setPreferredLayer(p.roomId, consumerId, layer, p.id);
    });
    on("leave-media", async (ctx, { roomId }) => {
      const { p, m } = await this.peer(ctx, roomId);
      // Starting over: whatever is left of my media goes (nothing left is fine).
      await m.leavePeer(p.roomId, p.id).catch((err) => {
        const code = err instanceof AppError ? err.code : undefined;
        if (code !== "ROOM_NOT_FOUND" && code !== "PARTICIPANT_NOT_FOUND") throw err;
      });
    });
  }

  /**
   * Every node subscribed to a media node gets all its events (and an in-process SFU only has
   * this node's peers), so events go to this node's sockets only: each socket gets one copy.
   */
  private async onMediaEvent(e: MediaEvent) {
    const out = this.sig.out;
    switch (e.type) {
      case "producer-new":
        this.producers.set(e.producer.producerId, { roomId: e.roomId, peerId: e.peerId, source: e.producer.source });
        out.toRoomLocal(e.roomId, "new-producer", { roomId: e.roomId, peerId: e.peerId, producer: e.producer });
        await this.setFlag(e.roomId, e.peerId, e.producer.source, true);
        break;
      case "producer-closed": {
        const known = this.producers.get(e.producerId);
        this.producers.delete(e.producerId);
        out.toRoomLocal(e.roomId, "producer-closed", { roomId: e.roomId, peerId: e.peerId, producerId: e.producerId, reason: e.reason });
        if (known) await this.setFlag(e.roomId, e.peerId, known.source, false);
        break;
      }
      case "consumer-closed": {
        const p = await this.sig.state.get(e.roomId, e.peerId);
        if (p) out.toSocketLocal(p.socketId, "consumer-closed", { roomId: e.roomId, consumerId: e.consumerId, producerId: e.producerId, reason: e.reason });
        break;
      }
      case "room-closed":
        // The worker or node that held the room died: everyone here starts their media over.
        if (e.reason === "media-lost") {
          this.opts.log.warn({ roomId: e.roomId }, "the media of a room was lost; its participants start over");
          out.toRoomLocal(e.roomId, "media-reset", { roomId: e.roomId, reason: "media-lost" });
        }
        break;
      case "transport-closed": {
        // The server gave up on one of a participant's connections (no packets, ICE or DTLS failed).
        if (e.reason !== "failed") break;
        const p = await this.sig.state.get(e.roomId, e.peerId);
        if (p?.connected) out.toSocketLocal(p.socketId, "media-reset", { roomId: e.roomId, reason: "transport-failed" });
        break;
      }
      default:
        break;
    }
  }

  /** Keeps `participant.media` in step with the producers, for everyone's participant list. */
  private async setFlag(roomId: string, peerId: string, source: ProducerSource, on: boolean) {
    const flag = MEDIA_FLAG[source];
    if (!flag) return;
    const p = await this.sig.state.get(roomId, peerId);
    // The node that holds the publisher's socket speaks for it (once, to every node).
    if (!p || p.media[flag] === on || !this.sig.out.isLocal(p.socketId)) return;
    const up = await this.sig.state.update(roomId, peerId, { media: { ...p.media, [flag]: on } });
    if (up) await this.sig.classroom.participantUpdated(up);
  }

  /** Health of the media service, without starting it. */
  async status(): Promise<{ started: boolean; ok?: boolean; workers?: number; rooms?: number; peers?: number }> {
    if (!this.ready) return { started: false };
    const h = await this.ready.health().catch(() => ({ ok: false, workers: 0, rooms: 0, peers: 0 }));
    return { started: true, ...h };
  }

  /** Runs a cleanup on this node's media service when it is running; "already gone" is fine. */
  private async apply(a: MediaCleanup) {
    const m = this.ready;
    if (!m) return;
    try {
      if (a.op === "leave") await m.leavePeer(a.roomId, a.peerId);
      else await m.closeProducersOf(a.roomId, a.peerId, a.sources ? { sources: a.sources } : undefined);
    } catch (err) {
      const code = err instanceof AppError ? err.code : undefined;
      if (code !== "ROOM_NOT_FOUND" && code !== "PARTICIPANT_NOT_FOUND") this.opts.log.warn({ err, cleanup: a }, "media cleanup failed");
    }
  }

  /**
   * A hook fires on the node that handled the action, but the participant's media may live in
   * another node's in-process SFU: clean up here and ask every other node to do the same (for a
   * shared media node the repeats find nothing left to close).
   */
  private async cleanup(a: MediaCleanup) {
    this.sig.toOtherNodes(NODE_CHANNEL, a);
    await this.apply(a);
  }

  private hookUp() {
    const h = this.sig.hooks;
    this.sig.onNodeMessage(NODE_CHANNEL, (a) => void this.apply(a as MediaCleanup));
    h.on("participant-left", ({ roomId, participant }) => this.cleanup({ op: "leave", roomId, peerId: participant.id }));
    // A new connection (reconnect, another tab) must build new transports; the old ones are dead.
    h.on("participant-resumed", ({ roomId, participant, previousSocketId }) =>
      previousSocketId === participant.socketId ? undefined : this.cleanup({ op: "leave", roomId, peerId: participant.id }),
    );
    h.on("participant-role-changed", ({ roomId, participant, canPublish: may }) =>
      may ? undefined : this.cleanup({ op: "close-producers", roomId, peerId: participant.id }),
    );
    h.on("participant-muted", ({ roomId, participant }) => this.cleanup({ op: "close-producers", roomId, peerId: participant.id, sources: ["microphone"] }));
    h.on("room-updated", async ({ roomId, room }) => {
      if (room.settings.studentsCanPublish) return;
      for (const p of await this.sig.state.list(roomId)) if (p.role === "student") await this.cleanup({ op: "close-producers", roomId, peerId: p.id });
    });
    h.on("room-ended", async ({ roomId, participants }) => {
      for (const p of participants) await this.cleanup({ op: "leave", roomId, peerId: p.id });
    });
  }

  async close() {
    this.unsubscribe?.();
    if (this.opts.ownsMedia && this.ready) await this.ready.close();
  }
}

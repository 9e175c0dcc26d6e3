import { breakoutBroadcastPeerId, type BreakoutStateDto } from "@vtp/protocol";
import { AppError } from "../errors/index.js";
import type { LiveParticipant, SignallingServer } from "../signalling/index.js";
import { BroadcastRelay } from "./relay.js";
import type { BreakoutDeps, BreakoutService } from "./service.js";

const STOP_CHANNEL = "breakout-broadcast-stop";

/**
 * "Teacher is speaking to all groups": the host's microphone forwarded into every group's media
 * room (BroadcastRelay, on the app server that took the request) and the state's `broadcasting`
 * flag. Stopping on another app server reaches the relay's server through a node message.
 */
export class BreakoutBroadcast {
  private readonly relays = new Map<string, BroadcastRelay>();

  constructor(
    private readonly deps: BreakoutDeps,
    private readonly groups: BreakoutService,
    private readonly nodes: Pick<SignallingServer, "toOtherNodes" | "onNodeMessage">,
  ) {
    nodes.onNodeMessage(STOP_CHANNEL, (message) => {
      const roomId = (message as { roomId?: unknown }).roomId;
      if (typeof roomId === "string") void this.stopHere(roomId);
    });
  }

  async set(host: LiveParticipant, on: boolean): Promise<BreakoutStateDto | null> {
    const record = await this.groups.record(host.roomId);
    if (!on) {
      await this.deps.store.update(host.roomId, (current) => (current?.broadcasting ? { ...current, broadcasting: false, broadcastBy: null } : undefined));
      await this.stop(host.roomId);
      return this.groups.publish(host.roomId);
    }
    if (!this.deps.media) throw new AppError("MEDIA_UNAVAILABLE", "Media is not available on this server");
    const media = await this.deps.media();
    // The host speaks where they are: the main room, or the group they visit (which hears them directly).
    const sourceRoomId = record.placement[host.userId] ?? host.roomId;
    const info = await media.getRoom(sourceRoomId).catch(() => undefined);
    const microphone = info?.peerList.find((peer) => peer.peerId === host.id)?.producers.find((producer) => producer.source === "microphone");
    if (!microphone) throw new AppError("PRODUCER_NOT_FOUND", "Turn your microphone on first");
    const { changed } = await this.deps.store.update(host.roomId, (current) => {
      if (!current) throw new AppError("BREAKOUT_NOT_OPEN", "No groups are open in this class");
      return current.broadcasting ? undefined : { ...current, broadcasting: true, broadcastBy: host.name };
    });
    if (changed) {
      const relay = new BroadcastRelay(media, breakoutBroadcastPeerId(record.sessionId), this.deps.log);
      this.relays.set(host.roomId, relay);
      const targets = record.groups.map((group) => group.id).filter((groupId) => groupId !== sourceRoomId);
      try {
        await relay.start(sourceRoomId, microphone.producerId, targets, host.userId);
      } catch (err) {
        await this.set(host, false);
        throw err;
      }
    }
    return this.groups.publish(host.roomId);
  }

  /** The relay of the class goes, wherever it runs. */
  async stop(roomId: string): Promise<void> {
    await this.stopHere(roomId);
    this.nodes.toOtherNodes(STOP_CHANNEL, { roomId });
  }

  private async stopHere(roomId: string): Promise<void> {
    const relay = this.relays.get(roomId);
    this.relays.delete(roomId);
    await relay?.stop();
  }

  async stopAll(): Promise<void> {
    for (const roomId of [...this.relays.keys()]) await this.stopHere(roomId);
  }
}

import { CHAT_MAX_LENGTH, type BreakoutGroupRecordDto, type BreakoutMessageDto, type MediaEvent } from "@vtp/protocol";
import { AppError } from "../errors/index.js";
import type { LiveParticipant } from "../signalling/index.js";
import type { BreakoutService, BreakoutDeps } from "./service.js";
import type { BreakoutRecord, StoredGroup } from "./store.js";

/** How long a group counts as talking after the SFU measured speech in it. */
const TALKING_MS = 6000;

/**
 * What happens inside the groups: chat, hands, help, the host's text to all groups, the kept
 * chats, and which groups are talking (the SFU's speech measurements of each group's media room).
 */
export class BreakoutActivity {
  constructor(
    private readonly deps: BreakoutDeps,
    private readonly groups: BreakoutService,
  ) {}

  /** The caller's group (NOT_IN_A_GROUP when in the main room). */
  private async myGroup(me: LiveParticipant): Promise<{ record: BreakoutRecord; group: StoredGroup }> {
    const record = await this.groups.record(me.roomId);
    const group = record.groups.find((g) => g.id === record.placement[me.userId]);
    if (!group) throw new AppError("NOT_IN_A_GROUP", "You are not in a group");
    return { record, group };
  }

  async chat(me: LiveParticipant, text: string): Promise<BreakoutMessageDto> {
    const trimmed = text.trim();
    if (trimmed.length < 1 || trimmed.length > CHAT_MAX_LENGTH) throw new AppError("VALIDATION_FAILED", `A message has 1–${CHAT_MAX_LENGTH} characters`);
    const { group } = await this.myGroup(me);
    const message = await this.deps.repo.addMessage(group.id, { userId: me.userId, name: me.name }, trimmed);
    this.deps.signalling.out.toRoom(group.id, "breakout-chat-message", { roomId: me.roomId, groupId: group.id, message });
    return message;
  }

  /** Raise or lower my hand; a host lowers another's (`participantId`). */
  async hand(me: LiveParticipant, raised: boolean, participantId?: string): Promise<void> {
    const other = participantId !== undefined && participantId !== me.id;
    if (other && (me.role !== "host" || raised)) throw new AppError("NOT_ALLOWED_TO_MANAGE_BREAKOUTS", "Only the teacher lowers another person's hand");
    const { group } = await this.myGroup(me);
    const target = other ? participantId : me.id;
    const { changed } = await this.deps.store.update(me.roomId, (current) => {
      const stored = current?.groups.find((g) => g.id === group.id);
      if (!current || !stored) return undefined;
      const up = stored.hands.some((h) => h.participantId === target);
      if (up === raised) return undefined;
      stored.hands = raised
        ? [...stored.hands, { participantId: me.id, userId: me.userId, name: me.name, raisedAt: Date.now() }]
        : stored.hands.filter((h) => h.participantId !== target);
      return current;
    });
    if (changed) await this.groups.publish(me.roomId);
  }

  /** A student asks the teacher for help: every host hears it wherever they are. */
  async help(me: LiveParticipant, on: boolean): Promise<void> {
    if (me.role === "host") throw new AppError("FORBIDDEN", "The teacher answers calls for help");
    const { group } = await this.myGroup(me);
    const now = Date.now();
    const { changed } = await this.deps.store.update(me.roomId, (current) => {
      const stored = current?.groups.find((g) => g.id === group.id);
      if (!current || !stored || (stored.helpRequestedAt !== null) === on) return undefined;
      stored.helpRequestedAt = on ? now : null;
      return current;
    });
    if (changed && on)
      this.deps.signalling.out.toHosts(me.roomId, "breakout-help-requested", {
        roomId: me.roomId,
        groupId: group.id,
        groupName: group.name,
        userId: me.userId,
        name: me.name,
        at: new Date(now).toISOString(),
      });
    if (changed) await this.groups.publish(me.roomId);
  }

  /** The host's text to every group. */
  async broadcast(host: LiveParticipant, text: string): Promise<void> {
    const trimmed = text.trim();
    if (trimmed.length < 1 || trimmed.length > CHAT_MAX_LENGTH) throw new AppError("VALIDATION_FAILED", `A message has 1–${CHAT_MAX_LENGTH} characters`);
    await this.groups.record(host.roomId);
    this.deps.signalling.out.toRoom(host.roomId, "breakout-broadcast-message", {
      roomId: host.roomId,
      text: trimmed,
      fromName: host.name,
      at: new Date().toISOString(),
    });
  }

  async history(roomId: string): Promise<BreakoutGroupRecordDto[]> {
    return this.deps.repo.history(roomId);
  }

  /** A host shows a kept group's chat to the class. */
  async show(roomId: string, groupId: string): Promise<BreakoutGroupRecordDto> {
    const [group] = await this.deps.repo.history(roomId, groupId);
    if (!group) throw new AppError("BREAKOUT_GROUP_NOT_FOUND", "This group does not exist");
    this.deps.signalling.out.toRoom(roomId, "breakout-shown", { roomId, group });
    return group;
  }

  /**
   * Media events of a group's media room that the media bridge cannot place (it looks people up in
   * the class's room): a closed consumer goes to its owner (on the app server holding their socket),
   * connection quality to its owner and the class's hosts, a failed transport resets its owner's
   * media, and speech measured makes the group talking for a few seconds.
   */
  async onMediaEvent(event: MediaEvent, roomOfGroup: (groupId: string) => string | undefined): Promise<void> {
    const roomId = roomOfGroup(event.roomId);
    if (!roomId) return;
    if (event.type === "consumer-closed") {
      const owner = await this.deps.signalling.state.get(roomId, event.peerId);
      if (owner && this.deps.signalling.out.isLocal(owner.socketId))
        this.deps.signalling.out.toSocketLocal(owner.socketId, "consumer-closed", {
          roomId: event.roomId,
          consumerId: event.consumerId,
          producerId: event.producerId,
          reason: event.reason,
        });
      return;
    }
    if (event.type === "peer-quality") {
      // As in the class's room: the participant sees their own quality, the hosts everyone's.
      const participant = await this.deps.signalling.state.get(roomId, event.peerId);
      if (!participant) return;
      const out = this.deps.signalling.out;
      const payload = { roomId, participantId: event.peerId, ...event.quality };
      if (participant.connected && out.isLocal(participant.socketId)) out.toSocketLocal(participant.socketId, "connection-quality", payload);
      out.toHostsLocal(roomId, "connection-quality", payload, participant.socketId);
      return;
    }
    if (event.type === "transport-closed" && event.reason === "failed") {
      // A group member's connection failed: they start their media over in the group's media room.
      const participant = await this.deps.signalling.state.get(roomId, event.peerId);
      if (participant?.connected && this.deps.signalling.out.isLocal(participant.socketId))
        this.deps.signalling.out.toSocketLocal(participant.socketId, "media-reset", { roomId: event.roomId, reason: "transport-failed" });
      return;
    }
    if (event.type !== "speaking-time" || !event.peers.some((peer) => peer.talkMs > 0)) return;
    const now = Date.now();
    const { before } = await this.deps.store.update(roomId, (current) => {
      const stored = current?.groups.find((g) => g.id === event.roomId);
      if (!current || !stored) return undefined;
      stored.talkingUntil = now + TALKING_MS;
      return current;
    });
    const was = before?.groups.find((g) => g.id === event.roomId);
    if (was && was.talkingUntil <= now) await this.groups.publish(roomId);
  }
}

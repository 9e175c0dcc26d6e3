import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import {
  BREAKOUT_CLOSE_COUNTDOWN_DEFAULT_S,
  BREAKOUT_WARNING_S,
  type BreakoutGroupDto,
  type BreakoutMessageDto,
  type BreakoutOpenPayload,
  type BreakoutStateDto,
  type LeaveReason,
} from "@vtp/protocol";
import { AppError } from "../errors/index.js";
import type { LiveParticipant, SignallingServer } from "../signalling/index.js";
import type { MediaService } from "../media/index.js";
import type { BreakoutRepo } from "./repo.js";
import type { BreakoutRecord, BreakoutStore } from "./store.js";
import { assignedGroup, planGroups, smallestGroup, toStateDto } from "./view.js";

export interface BreakoutDeps {
  store: BreakoutStore;
  repo: BreakoutRepo;
  signalling: Pick<SignallingServer, "state" | "out">;
  /** The media service (started on first use), when this server has media. */
  media?: () => Promise<MediaService>;
  /** A marker on the class's running recording (groups opened / closed). */
  marker?: (roomId: string, label: string, userId: string | null) => Promise<unknown>;
  /** Each group's own recording ("Record each group"; absent: recording is not available here). */
  recording?: GroupRecorder;
  /** Stops the teacher's voice in the groups when they close. */
  stopBroadcast?: (roomId: string) => Promise<void>;
  log: Logger;
}

/** What the groups need of recording (RecordingService): each group's media room recorded as a recording of the class. */
export interface GroupRecorder {
  /** Throws RECORDING_UNAVAILABLE when this server cannot record (no FFmpeg, no media layer). */
  assertAvailable(): void;
  startGroup(roomId: string, startedBy: string, group: { id: string; name: string }): Promise<unknown>;
  stopGroups(groupIds: string[]): Promise<void>;
}

const recordingUnavailable = () => new AppError("RECORDING_UNAVAILABLE", "A recording per group is not available on this server");

export const notOpen = () => new AppError("BREAKOUT_NOT_OPEN", "No groups are open in this class");
const groupNotFound = () => new AppError("BREAKOUT_GROUP_NOT_FOUND", "This group does not exist");

/**
 * Breakout groups of a class: opening (auto, manual, self), moving people, visits, the countdown
 * and the return to the main room. The truth is the store's record (shared by the app servers);
 * each change is a compare-and-set and its side effects (sockets' channels, media, events) follow
 * from the record before and after it.
 */
export class BreakoutService {
  constructor(private readonly deps: BreakoutDeps) {}

  async record(roomId: string): Promise<BreakoutRecord> {
    const record = await this.deps.store.get(roomId);
    if (!record) throw notOpen();
    return record;
  }

  async state(roomId: string): Promise<BreakoutStateDto | null> {
    const record = await this.deps.store.get(roomId);
    return record ? toStateDto(record, await this.deps.signalling.state.list(roomId)) : null;
  }

  async group(roomId: string, groupId: string): Promise<BreakoutGroupDto> {
    const state = await this.state(roomId);
    const group = state?.groups.find((g) => g.id === groupId);
    if (!group) throw groupNotFound();
    return group;
  }

  /** Sends the picture to the class. */
  async publish(roomId: string): Promise<BreakoutStateDto | null> {
    const state = await this.state(roomId);
    this.deps.signalling.out.toRoom(roomId, "breakout-state", { roomId, state });
    return state;
  }

  async open(host: LiveParticipant, payload: BreakoutOpenPayload): Promise<BreakoutStateDto | null> {
    // Refused before any group opens when this server cannot record.
    if (payload.recordGroups) {
      if (!this.deps.recording) throw recordingUnavailable();
      this.deps.recording.assertAvailable();
    }
    const participants = await this.deps.signalling.state.list(host.roomId);
    const groups = planGroups(payload.mode, payload.groups, participants);
    const now = Date.now();
    const record: BreakoutRecord = {
      version: 0,
      roomId: host.roomId,
      sessionId: randomUUID(),
      status: "open",
      mode: payload.mode,
      openedAt: now,
      deadline: payload.durationSeconds ? now + payload.durationSeconds * 1000 : null,
      returnAt: null,
      closeReason: null,
      warned: false,
      broadcasting: false,
      broadcastBy: null,
      recordGroups: payload.recordGroups === true,
      groups,
      placement: Object.fromEntries(groups.flatMap((group) => group.assigned.map((userId) => [userId, group.id] as const))),
      names: Object.fromEntries(participants.map((p) => [p.userId, p.name])),
    };
    const { changed } = await this.deps.store.update(host.roomId, (current) => (current ? undefined : record));
    if (!changed) throw new AppError("BREAKOUT_ALREADY_OPEN", "Groups are already open in this class");
    await this.deps.repo.groupsOpened(host.roomId, record.sessionId, new Date(now), groups);
    const byUser = new Map(participants.map((p) => [p.userId, p]));
    for (const group of groups) for (const userId of group.assigned) await this.arrive(record, byUser.get(userId), null, group.id);
    if (record.recordGroups) await this.startRecordings(host, groups);
    void this.deps.marker?.(host.roomId, `Groups opened (${groups.length})`, host.userId);
    return this.publish(host.roomId);
  }

  /** Each group's recording (started together; one that cannot start is marked failed and logged). */
  private async startRecordings(host: LiveParticipant, groups: { id: string; name: string }[]) {
    const recording = this.deps.recording;
    if (!recording) return;
    await Promise.all(
      groups.map((group) =>
        recording
          .startGroup(host.roomId, host.userId, { id: group.id, name: group.name })
          .catch((err) => this.deps.log.warn({ err, groupId: group.id }, "a group's recording did not start")),
      ),
    );
  }

  /** Starts the countdown back to the main room. */
  async close(roomId: string, countdownSeconds: number | undefined, reason: "host" | "time"): Promise<BreakoutStateDto | null> {
    const returnAt = Date.now() + (countdownSeconds ?? BREAKOUT_CLOSE_COUNTDOWN_DEFAULT_S) * 1000;
    const { after, changed } = await this.deps.store.update(roomId, (current) => {
      if (!current) throw notOpen();
      if (current.status === "closing") return undefined;
      return { ...current, status: "closing", returnAt, closeReason: reason };
    });
    if (changed && after?.returnAt) {
      this.deps.signalling.out.toRoom(roomId, "breakout-closing", { roomId, returnAt: new Date(after.returnAt).toISOString(), reason });
      if (after.returnAt <= Date.now()) return this.finish(roomId);
    }
    return this.publish(roomId);
  }

  /** Everyone back in the main room; the groups' chat and members are kept. */
  async finish(roomId: string): Promise<null> {
    const { before, changed } = await this.deps.store.update(roomId, (current) => (current ? null : undefined));
    if (!changed || !before) return null;
    if (before.broadcasting) await this.deps.stopBroadcast?.(roomId);
    // The groups' recordings end with them (stopping while everyone goes back; processed as any recording).
    const stopping = before.recordGroups ? this.deps.recording?.stopGroups(before.groups.map((group) => group.id)) : undefined;
    const participants = await this.deps.signalling.state.list(roomId);
    const byUser = new Map(participants.map((p) => [p.userId, p]));
    for (const [userId, groupId] of Object.entries(before.placement)) await this.arrive(before, byUser.get(userId), groupId, null);
    const names = new Map(before.groups.map((group) => [group.id, group.assigned.map((userId) => byUser.get(userId)?.name ?? before.names[userId] ?? "")]));
    await this.deps.repo.groupsClosed(before.sessionId, new Date(), names);
    void this.deps.marker?.(roomId, "Groups closed", null);
    await this.publish(roomId);
    await stopping?.catch((err) => this.deps.log.warn({ err, roomId }, "the groups' recordings did not stop cleanly"));
    return null;
  }

  /** A host moves someone into a group (or the main room with null). */
  async move(roomId: string, userId: string, groupId: string | null): Promise<BreakoutStateDto | null> {
    const participant = await this.deps.signalling.state.byUser(roomId, userId);
    const { before, after } = await this.deps.store.update(roomId, (current) => {
      if (!current) throw notOpen();
      if (groupId && !current.groups.some((g) => g.id === groupId)) throw groupNotFound();
      if (!participant && !current.names[userId]) throw new AppError("PARTICIPANT_NOT_FOUND", "This person is not in the class");
      for (const group of current.groups) group.assigned = group.assigned.filter((id) => id !== userId);
      const target = current.groups.find((g) => g.id === groupId);
      if (target && participant?.role !== "host") target.assigned.push(userId);
      if (groupId) current.placement[userId] = groupId;
      else delete current.placement[userId];
      if (participant) current.names[userId] = participant.name;
      return current;
    });
    if (after) await this.arrive(after, participant, before?.placement[userId] ?? null, groupId);
    return this.publish(roomId);
  }

  /** The caller enters a group: a host's visit, a student's own group, or any group in `self` mode. */
  async join(me: LiveParticipant, groupId: string): Promise<{ group: BreakoutGroupDto; messages: BreakoutMessageDto[] }> {
    const host = me.role === "host";
    const { before, after } = await this.deps.store.update(me.roomId, (current) => {
      if (!current) throw notOpen();
      const target = current.groups.find((g) => g.id === groupId);
      if (!target) throw groupNotFound();
      if (!host && current.mode !== "self" && !target.assigned.includes(me.userId))
        throw new AppError("NOT_IN_THIS_GROUP", "You were not assigned to this group");
      if (current.placement[me.userId] === groupId) return undefined;
      if (!host) {
        for (const group of current.groups) group.assigned = group.assigned.filter((id) => id !== me.userId);
        target.assigned.push(me.userId);
      } else target.helpRequestedAt = null; // the teacher came
      current.placement[me.userId] = groupId;
      current.names[me.userId] = me.name;
      return current;
    });
    if (after) {
      await this.arrive(after, me, before?.placement[me.userId] ?? null, groupId);
      await this.publish(me.roomId);
    }
    return { group: await this.group(me.roomId, groupId), messages: await this.deps.repo.messages(groupId) };
  }

  /** The caller goes back to the main room (a host, or a student in `self` mode). */
  async leave(me: LiveParticipant): Promise<void> {
    const { before, after } = await this.deps.store.update(me.roomId, (current) => {
      if (!current) throw notOpen();
      if (!current.placement[me.userId]) throw new AppError("NOT_IN_A_GROUP", "You are not in a group");
      if (me.role !== "host" && current.mode !== "self") throw new AppError("NOT_ALLOWED_TO_MANAGE_BREAKOUTS", "Your teacher decides who is in which group");
      if (me.role !== "host") for (const group of current.groups) group.assigned = group.assigned.filter((id) => id !== me.userId);
      delete current.placement[me.userId];
      return current;
    });
    if (after) await this.arrive(after, me, before?.placement[me.userId] ?? null, null);
    await this.publish(me.roomId);
  }

  /**
   * Moves a person's socket and media from `from` to `to` (group ids; null = the main room):
   * the group's broadcasts, the old media room's peer closed, the stay recorded, `breakout-moved`.
   */
  async arrive(record: BreakoutRecord, participant: LiveParticipant | undefined, from: string | null, to: string | null): Promise<void> {
    if (!participant) return;
    const { out } = this.deps.signalling;
    if (from === to && to !== null) {
      out.join(participant.socketId, to, false);
    } else {
      if (from) out.leave(participant.socketId, from);
      if (to) out.join(participant.socketId, to, false);
      await this.leaveMedia(from ?? participant.roomId, participant.id);
    }
    const at = new Date();
    await (to ? this.deps.repo.entered(to, participant.userId, at) : this.deps.repo.left(participant.userId, at)).catch((err) =>
      this.deps.log.warn({ err }, "breakout stay not recorded"),
    );
    const groupName = record.groups.find((g) => g.id === to)?.name ?? null;
    out.toSocket(participant.socketId, "breakout-moved", { roomId: participant.roomId, groupId: to, groupName });
  }

  private async leaveMedia(mediaRoomId: string, peerId: string) {
    if (!this.deps.media) return;
    try {
      await (await this.deps.media()).leavePeer(mediaRoomId, peerId);
    } catch {
      // No media there (never joined, or already gone): nothing to close.
    }
  }

  // ---- the class around the groups

  /** A latecomer or a reconnecting person lands in their group (after the join's ack). */
  async participantJoined(participant: LiveParticipant): Promise<void> {
    const record = await this.deps.store.get(participant.roomId);
    if (record?.status !== "open") return;
    let groupId: string | undefined = record.placement[participant.userId] ?? assignedGroup(record, participant.userId)?.id;
    if (!groupId && record.mode === "auto" && participant.role !== "host") {
      const { after } = await this.deps.store.update(participant.roomId, (current) => {
        if (!current || assignedGroup(current, participant.userId)) return undefined;
        smallestGroup(current)?.assigned.push(participant.userId);
        const group = assignedGroup(current, participant.userId);
        if (group) current.placement[participant.userId] = group.id;
        current.names[participant.userId] = participant.name;
        return current;
      });
      groupId = after?.placement[participant.userId];
    }
    const target = groupId;
    if (!target) return;
    setImmediate(() => void this.arrive(record, participant, target, target).then(() => this.publish(participant.roomId)));
  }

  /** Removed from the class: out of the group too. Other leaves keep the place for a return. */
  async participantLeft(participant: LiveParticipant, reason: LeaveReason): Promise<void> {
    const record = await this.deps.store.get(participant.roomId);
    if (!record) return;
    const groupId = record.placement[participant.userId];
    if (groupId) await this.leaveMedia(groupId, participant.id);
    await this.deps.repo.left(participant.userId, new Date()).catch(() => {});
    if (reason !== "removed" && participant.role !== "host") return void (await this.publish(participant.roomId));
    await this.deps.store.update(participant.roomId, (current) => {
      if (!current) return undefined;
      for (const group of current.groups) group.assigned = group.assigned.filter((id) => id !== participant.userId);
      delete current.placement[participant.userId];
      return current;
    });
    await this.publish(participant.roomId);
  }

  async classEnded(roomId: string): Promise<void> {
    if (await this.deps.store.get(roomId)) await this.finish(roomId);
  }

  // ---- time

  /** The warning, the end of the time, and the return after the countdown; each done by the node whose write wins. */
  async sweep(now = Date.now()): Promise<void> {
    for (const roomId of await this.deps.store.openRooms()) {
      const record = await this.deps.store.get(roomId);
      if (!record) continue;
      if (record.status === "closing" && record.returnAt !== null && record.returnAt <= now) {
        await this.finish(roomId);
      } else if (record.status === "open" && record.deadline !== null && record.deadline <= now) {
        await this.close(roomId, undefined, "time");
      } else if (record.status === "open" && record.deadline !== null && !record.warned && record.deadline - now <= BREAKOUT_WARNING_S * 1000) {
        const { changed } = await this.deps.store.update(roomId, (current) => (current && !current.warned ? { ...current, warned: true } : undefined));
        const deadline = record.deadline;
        if (changed)
          this.deps.signalling.out.toRoom(roomId, "breakout-warning", {
            roomId,
            deadline: new Date(deadline).toISOString(),
            secondsLeft: Math.max(0, Math.round((deadline - now) / 1000)),
          });
      }
    }
  }
}

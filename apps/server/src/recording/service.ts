import path from "node:path";
import type { RecordingDto, RecordingMarkerDto, RecordingChatResponse, RecordingPollsResponse } from "@vtp/protocol";
import { AppError } from "../errors/index.js";
import { isUuid } from "../rooms/index.js";
import type { AuthUser } from "../auth/guard.js";
import { LocalStorage } from "../storage/index.js";
import { FFMPEG_INSTALL_HINT } from "./ffmpeg.js";
import type { RecordingRow } from "./repo.js";
import { chatReplayDto, markerDto, pollReplayDto, recordingDto } from "./dto.js";
import type { RecorderSourceFactory } from "./source.js";
import { Captures } from "./captures.js";
import { PlaybackLinks, type PlaybackAccess } from "./share.js";
import type { RecordingNotifier, RecordingServiceDeps } from "./ports.js";

export type { BoardRecordSource, PollRecordSource, QuizRecordSource, RecordingNotifier, RecordingServiceDeps } from "./ports.js";

/** "2026-12-01 19:30" (UTC), the start in a recording's default title. */
const stamp = () => new Date().toISOString().slice(0, 16).replace("T", " ");

export const recordingNotFound = () => new AppError("RECORDING_NOT_FOUND", "No such recording");

/** What the access rules look at of an account. */
type Viewer = Pick<AuthUser, "id" | "role">;

/** Recordings: start/stop capture, access rules, share links, signed playback URLs. */
export class RecordingService {
  private sourceFactory?: RecorderSourceFactory;
  private readonly links: PlaybackLinks;
  /** The captures on this server, and stopping wherever the stop is asked. */
  private readonly captures: Captures;

  constructor(private readonly deps: RecordingServiceDeps) {
    this.sourceFactory = deps.sourceFactory;
    this.links = new PlaybackLinks({
      repo: deps.repo,
      secret: deps.signingSecret,
      publicUrl: deps.publicUrl,
      canView: (user, recording) => this.canView(user, recording),
    });
    this.captures = new Captures({
      ...deps,
      sourceFactory: () => this.sourceFactory,
      captureDir: (id) => this.captureDir(id),
      notify: this.notify,
      onTrack: (row, track, offsetMs) => {
        if (track.source === "screen") void this.screenShareMarker(row.room_id, row.id, track.userId, offsetMs);
      },
    });
  }

  /** Replaces the recorder's source (tests record a synthetic one). */
  setSourceFactory(factory: RecorderSourceFactory | undefined) {
    this.sourceFactory = factory;
  }
  notify: RecordingNotifier = (roomId, event, payload, hostsOnly) => {
    try {
      this.deps.notifier?.(roomId, event, payload, hostsOnly);
    } catch (err) {
      this.deps.log.warn({ err, event }, "recording notification failed");
    }
  };

  captureDir(recordingId: string): string {
    return this.deps.storage instanceof LocalStorage
      ? this.deps.storage.pathOf(`rec/${recordingId}/tracks`)
      : path.join(this.deps.dataDir, "recordings-capture", recordingId);
  }

  activeSession(recordingId: string) {
    return this.captures.session(recordingId);
  }

  /** Recordings capturing now, on every node. */
  async activeCount(): Promise<number> {
    return (await this.deps.repo.byStatus("recording")).length;
  }

  countByStatus(): Promise<Record<RecordingRow["status"], number>> {
    return this.deps.repo.countByStatus();
  }

  /** A stored file of a recording (size), undefined when it is not there. */
  stat(key: string) {
    return this.deps.storage.stat(key);
  }

  /** A stored file's bytes, or one range of them (StorageNotFound when it is not there). */
  read(key: string, range?: { start: number; end: number }) {
    return this.deps.storage.get(key, range);
  }

  // ---------------------------------------------------------------- access

  private async load(id: string): Promise<RecordingRow> {
    if (!isUuid(id)) throw recordingNotFound();
    const recording = await this.deps.repo.byId(id);
    if (!recording) throw recordingNotFound();
    return recording;
  }

  private async canManage(user: Viewer, roomId: string): Promise<boolean> {
    if (user.role === "admin") return true;
    const room = await this.deps.repo.room(roomId);
    return !!room && room.host_id === user.id;
  }

  private async canView(user: Viewer, recording: RecordingRow): Promise<boolean> {
    if (await this.canManage(user, recording.room_id)) return true;
    return recording.visibility === "participants" && (await this.deps.repo.attended(recording.room_id, user.id));
  }

  /** The recording, if the user may watch it (404 otherwise: its existence is not revealed). */
  async viewable(user: AuthUser, id: string): Promise<RecordingRow> {
    const recording = await this.load(id);
    if (!(await this.canView(user, recording))) throw recordingNotFound();
    return recording;
  }

  private async managed(user: AuthUser, id: string): Promise<RecordingRow> {
    const recording = await this.load(id);
    if (await this.canManage(user, recording.room_id)) return recording;
    if (await this.canView(user, recording)) throw new AppError("FORBIDDEN", "Only the host of the room or an admin can do this");
    throw recordingNotFound();
  }

  // ---------------------------------------------------------------- capture

  async start(user: AuthUser, roomId: string): Promise<RecordingDto> {
    if (!isUuid(roomId)) throw new AppError("ROOM_NOT_FOUND", "No such room");
    const room = await this.deps.repo.room(roomId);
    if (!room) throw new AppError("ROOM_NOT_FOUND", "No such room");
    if (!(await this.canManage(user, roomId))) throw new AppError("FORBIDDEN", "Only the host of the room or an admin can record it");
    this.assertAvailable();
    if (room.status !== "live") throw new AppError("CONFLICT", "The room is not live: start the class first");
    const row = await this.deps.repo.insert({ roomId, startedBy: user.id, title: `${room.title} — ${stamp()}`, nodeId: this.deps.nodeId });
    if (!row) throw new AppError("RECORDING_ALREADY_ACTIVE", "This room is already being recorded");
    await this.captures.capture(row, roomId);
    this.notify(roomId, "recording-started", { roomId, recordingId: row.id, startedAt: row.started_at.toISOString() }, false);
    this.deps.log.info({ recordingId: row.id, roomId }, "recording started");
    return this.dto(row, user);
  }

  /** RECORDING_UNAVAILABLE unless this server can record (FFmpeg and the media layer). */
  assertAvailable(): void {
    if (!this.deps.ffmpeg) throw new AppError("RECORDING_UNAVAILABLE", FFMPEG_INSTALL_HINT);
    if (!this.sourceFactory) throw new AppError("RECORDING_UNAVAILABLE", "Recording is not available: the media layer is not connected on this server");
  }

  /**
   * A breakout group's own recording (issue 16): a recording of the class, of the group's media
   * room (its id is the group's), titled with the group's name. The caller (the groups' opening)
   * has checked that a live host asked for it. Undefined when the group is already recorded.
   */
  async startGroup(roomId: string, startedBy: string, group: { id: string; name: string }): Promise<RecordingRow | undefined> {
    this.assertAvailable();
    const room = await this.deps.repo.room(roomId);
    if (!room) throw new AppError("ROOM_NOT_FOUND", "No such room");
    const title = `${room.title} — ${group.name} — ${stamp()}`;
    const row = await this.deps.repo.insert({ roomId, startedBy, title, nodeId: this.deps.nodeId, group });
    if (!row) return undefined;
    await this.captures.capture(row, group.id);
    this.deps.log.info({ recordingId: row.id, roomId, groupId: group.id }, "group recording started");
    return row;
  }

  /** Stops the running recordings of these groups (they closed); each is processed as any other. */
  async stopGroups(groupIds: string[]): Promise<void> {
    for (const recording of await this.deps.repo.activeForGroups(groupIds)) await this.captures.stop(recording);
  }

  async stop(user: AuthUser, id: string): Promise<RecordingDto> {
    const recording = await this.managed(user, id);
    if (recording.status !== "recording") throw new AppError("CONFLICT", "This recording is not running");
    await this.captures.stop(recording);
    return this.dto(await this.load(id), user);
  }

  /** The room's running recording, if any (for people joining: they see the indicator). */
  async activeFor(roomId: string): Promise<{ recordingId: string; startedAt: string } | undefined> {
    const recording = await this.deps.repo.activeForRoom(roomId);
    return recording ? { recordingId: recording.id, startedAt: recording.started_at.toISOString() } : undefined;
  }

  /** Stops a room's active recording (the class ended). */
  async stopRoom(roomId: string): Promise<void> {
    const recording = await this.deps.repo.activeForRoom(roomId);
    if (recording) await this.captures.stop(recording);
  }

  /** After a restart: finalizes and queues what a crash cut (Captures.recover). */
  recover(): Promise<string[]> {
    return this.captures.recover();
  }

  /** Stops every capture (server shutdown): files are finalized and processing queued. */
  stopAll(): Promise<void> {
    return this.captures.stopAll();
  }

  // ---------------------------------------------------------------- reads and edits

  async get(user: AuthUser, id: string): Promise<RecordingDto> {
    return this.dto(await this.viewable(user, id), user);
  }

  async list(user: AuthUser, roomId?: string): Promise<RecordingDto[]> {
    let rows = await this.deps.repo.list({ roomId });
    if (user.role !== "admin") {
      const { hosted, attended } = await this.deps.repo.roomsOf(user.id);
      rows = rows.filter((r) => hosted.includes(r.room_id) || (r.visibility === "participants" && attended.includes(r.room_id)));
    }
    return this.dtos(rows, user);
  }

  async update(user: AuthUser, id: string, body: { title?: string; visibility?: "private" | "participants" }): Promise<RecordingDto> {
    await this.managed(user, id);
    await this.deps.repo.update(id, body);
    return this.dto(await this.load(id), user);
  }

  async remove(user: AuthUser, id: string): Promise<void> {
    const recording = await this.managed(user, id);
    if (recording.status === "recording") {
      this.captures.discardComposing(id);
      await this.captures.stop(recording);
    }
    await this.deps.repo.delete(id);
    await this.deps.storage.deletePrefix(`rec/${id}/`);
    const { rmSync } = await import("node:fs");
    rmSync(this.captureDir(id), { recursive: true, force: true });
  }

  /**
   * A class is being deleted (its recordings' rows cascade): their ids now; once the rows are gone,
   * their stored files and capture folders (a file that cannot be removed is logged).
   */
  async classDeleting(roomId: string): Promise<() => Promise<void>> {
    const ids = await this.deps.repo.idsOfRoom(roomId);
    return async () => {
      const { rmSync } = await import("node:fs");
      for (const id of ids) {
        try {
          await this.deps.storage.deletePrefix(`rec/${id}/`);
          rmSync(this.captureDir(id), { recursive: true, force: true });
        } catch (err) {
          this.deps.log.warn({ err, recordingId: id, roomId }, "a deleted class's recording files could not be removed");
        }
      }
    };
  }

  /**
   * `opts.authorized`: the caller already checked the live role (host or presenter in the room,
   * the socket's `add-marker`); otherwise only the room's host or an admin may add a marker.
   */
  async addMarker(user: AuthUser, roomId: string, label: string, kind = "marker", opts: { authorized?: boolean } = {}): Promise<RecordingMarkerDto> {
    // Permission first: whether a room is being recorded is not told to those who may not mark it.
    if (kind === "marker" && !opts.authorized && !(await this.canManage(user, roomId))) throw new AppError("FORBIDDEN", "Only the host can add markers");
    const recording = await this.deps.repo.activeForRoom(roomId);
    if (!recording) throw new AppError("CONFLICT", "This room is not being recorded");
    const marker = await this.deps.repo.addMarker({
      recordingId: recording.id,
      userId: user.id,
      kind,
      label,
      offsetMs: Date.now() - recording.started_at.getTime(),
    });
    const dto = markerDto(marker);
    this.notify(roomId, "recording-marker", { roomId, recordingId: recording.id, marker: dto }, true);
    return dto;
  }

  /**
   * An automatic marker (`screen`, `hand`, …) on the room's running recording, if there is one;
   * nothing otherwise. Never throws (it follows what happens in the class).
   */
  async autoMarker(roomId: string, kind: string, label: string, userId: string | null): Promise<RecordingMarkerDto | undefined> {
    try {
      const recording = await this.deps.repo.activeForRoom(roomId);
      if (!recording) return undefined;
      return await this.saveMarker(roomId, recording.id, { kind, label, userId, offsetMs: Date.now() - recording.started_at.getTime() });
    } catch (err) {
      this.deps.log.warn({ err, roomId, kind }, "could not add an automatic marker");
      return undefined;
    }
  }

  /** A screen share started being recorded (offset on the capture clock, as the track's). */
  private async screenShareMarker(roomId: string, recordingId: string, userId: string | null, offsetMs: number) {
    try {
      const name = userId ? await this.deps.repo.userName(userId) : undefined;
      await this.saveMarker(roomId, recordingId, { kind: "screen", label: name ? `Screen share — ${name}` : "Screen share", userId, offsetMs });
    } catch (err) {
      this.deps.log.warn({ err, recordingId }, "could not add the screen share marker");
    }
  }

  private async saveMarker(roomId: string, recordingId: string, marker: { kind: string; label: string; userId: string | null; offsetMs: number }) {
    const dto = markerDto(await this.deps.repo.addMarker({ recordingId, ...marker, label: marker.label.slice(0, 200) }));
    this.notify(roomId, "recording-marker", { roomId, recordingId, marker: dto }, true);
    return dto;
  }

  async chat(recording: RecordingRow): Promise<RecordingChatResponse> {
    return chatReplayDto(
      recording,
      await this.deps.repo.chatBetween(recording.room_id, recording.started_at, recording.stopped_at ?? new Date(), recording.breakout_group_id),
    );
  }

  /**
   * The polls and quizzes asked while the recording ran. Poll results go to the class's host and
   * admins, and to other viewers (a student, a share link) only when they were published in class;
   * a quiz's submissions and average to the host and admins only.
   */
  async polls(recording: RecordingRow, viewer: Viewer | null): Promise<RecordingPollsResponse> {
    const until = recording.stopped_at ?? new Date();
    const records = this.deps.polls ? await this.deps.polls.pollsBetween(recording.room_id, recording.started_at.toISOString(), until.toISOString()) : [];
    const quizzes = this.deps.quizzes ? await this.deps.quizzes.scoresOf(recording.room_id) : [];
    const allResults = viewer ? await this.canManage(viewer, recording.room_id) : false;
    return pollReplayDto(recording, until, records, quizzes, allResults);
  }

  // ---------------------------------------------------------------- sharing and signed URLs

  async share(user: AuthUser, id: string, expiresInHours?: number) {
    await this.managed(user, id);
    return this.links.create(id, user.id, expiresInHours);
  }

  async unshare(user: AuthUser, id: string): Promise<void> {
    await this.managed(user, id);
    await this.links.revoke(id);
  }

  /** The recording of a live share link, and the access of the URLs handed out under it. */
  async byShareToken(token: string): Promise<{ recording: RecordingRow; access: PlaybackAccess }> {
    const { recordingId, access } = await this.links.byToken(token);
    return { recording: await this.load(recordingId), access };
  }

  /** Access for the URLs handed to a signed-in viewer. */
  accessFor(user: Viewer): PlaybackAccess {
    return this.links.forUser(user.id);
  }

  /** `g=…&exp=…&sig=…`: fetches `/api/v1/recordings/:id/*` files while `access` stands. */
  playbackQuery(id: string, access: PlaybackAccess): string {
    return this.links.query(id, access);
  }

  /** The recording and the access of a signed request, when its signature and grant still hold. */
  async signed(id: string, query: Record<string, unknown>): Promise<{ recording: RecordingRow; access: PlaybackAccess } | undefined> {
    const recording = await this.load(id);
    const access = await this.links.check(recording, query);
    return access && { recording, access };
  }

  // ---------------------------------------------------------------- DTOs

  /** `viewer`: whose URLs (`urls`) the DTO carries — an account, or a share link's access. */
  async dto(recording: RecordingRow, viewer: Viewer | PlaybackAccess): Promise<RecordingDto> {
    const [dto] = await this.dtos([recording], viewer);
    if (!dto) throw new Error(`no DTO for recording ${recording.id}`);
    return dto;
  }

  async dtos(rows: RecordingRow[], viewer: Viewer | PlaybackAccess): Promise<RecordingDto[]> {
    const access = "grant" in viewer ? viewer : this.accessFor(viewer);
    const ids = rows.map((r) => r.id);
    const tracks = await this.deps.repo.tracksOf(ids);
    const markers = await this.deps.repo.markers(ids);
    return rows.map((r) => recordingDto(r, tracks, markers, r.status === "ready" ? this.playbackQuery(r.id, access) : undefined));
  }
}

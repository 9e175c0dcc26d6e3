import path from "node:path";
import type { Logger } from "pino";
import type { RecordingDto, RecordingMarkerDto, RecordingServerEvents, RecordingChatResponse } from "@vtp/protocol";
import { AppError } from "../errors/index.js";
import type { AuthUser } from "../auth/guard.js";
import { LocalStorage, type Storage } from "../storage/index.js";
import type { JobQueue } from "../jobs/index.js";
import { FFMPEG_INSTALL_HINT } from "./ffmpeg.js";
import type { RecordingsRepo, RecordingRow } from "./repo.js";
import { markerDto, recordingDto } from "./dto.js";
import { RecordingSession } from "./RecordingSession.js";
import type { RecorderSourceFactory } from "./source.js";
import { PROCESS_QUEUE, type ProcessPayload } from "./Processor.js";
import { PlaybackLinks, type PlaybackAccess } from "./share.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const recordingNotFound = () => new AppError("RECORDING_NOT_FOUND", "No such recording");

/** What the access rules look at of an account. */
type Viewer = Pick<AuthUser, "id" | "role">;

/** Sends a recording event to a room (everyone) or to its hosts; wired to the signalling layer. */
export type RecordingNotifier = <E extends keyof RecordingServerEvents>(
  roomId: string,
  event: E,
  payload: Parameters<RecordingServerEvents[E]>[0],
  hostsOnly: boolean,
) => void;

export interface RecordingServiceDeps {
  repo: RecordingsRepo;
  storage: Storage;
  jobs: JobQueue;
  ffmpeg?: { ffmpeg: string; ffprobe: string };
  log: Logger;
  dataDir: string;
  publicUrl: string;
  nodeId: string;
  /** Signs the short-lived URLs of HLS variants and segments. */
  signingSecret: string;
  /** Wakes the in-process worker after an enqueue. */
  onEnqueue?: () => void;
  /** The recorder's media participant; absent: recording is unavailable (no media on this server). */
  sourceFactory?: RecorderSourceFactory;
  /** Where recording events go (the room's sockets). */
  notifier?: RecordingNotifier;
}

/** Recordings: start/stop capture, access rules, share links, signed playback URLs. */
export class RecordingService {
  private readonly sessions = new Map<string, RecordingSession>();
  private sourceFactory?: RecorderSourceFactory;
  private readonly links: PlaybackLinks;

  constructor(private readonly d: RecordingServiceDeps) {
    this.sourceFactory = d.sourceFactory;
    this.links = new PlaybackLinks({ repo: d.repo, secret: d.signingSecret, publicUrl: d.publicUrl, canView: (user, r) => this.canView(user, r) });
  }

  /** Replaces the recorder's source (tests record a synthetic one). */
  setSourceFactory(f: RecorderSourceFactory | undefined) {
    this.sourceFactory = f;
  }
  notify: RecordingNotifier = (roomId, event, payload, hostsOnly) => {
    try {
      this.d.notifier?.(roomId, event, payload, hostsOnly);
    } catch (err) {
      this.d.log.warn({ err, event }, "recording notification failed");
    }
  };

  captureDir(recordingId: string): string {
    return this.d.storage instanceof LocalStorage
      ? this.d.storage.pathOf(`rec/${recordingId}/tracks`)
      : path.join(this.d.dataDir, "recordings-capture", recordingId);
  }

  activeSession(recordingId: string) {
    return this.sessions.get(recordingId);
  }

  /** Recordings capturing now, on every node. */
  async activeCount(): Promise<number> {
    return (await this.d.repo.byStatus("recording")).length;
  }

  countByStatus(): Promise<Record<RecordingRow["status"], number>> {
    return this.d.repo.countByStatus();
  }

  /** A stored file of a recording (size), undefined when it is not there. */
  stat(key: string) {
    return this.d.storage.stat(key);
  }

  /** A stored file's bytes, or one range of them (StorageNotFound when it is not there). */
  read(key: string, range?: { start: number; end: number }) {
    return this.d.storage.get(key, range);
  }

  // ---------------------------------------------------------------- access

  private async load(id: string): Promise<RecordingRow> {
    if (!UUID.test(id)) throw recordingNotFound();
    const r = await this.d.repo.byId(id);
    if (!r) throw recordingNotFound();
    return r;
  }

  private async canManage(user: Viewer, roomId: string): Promise<boolean> {
    if (user.role === "admin") return true;
    const room = await this.d.repo.room(roomId);
    return !!room && room.host_id === user.id;
  }

  private async canView(user: Viewer, r: RecordingRow): Promise<boolean> {
    if (await this.canManage(user, r.room_id)) return true;
    return r.visibility === "participants" && (await this.d.repo.attended(r.room_id, user.id));
  }

  /** The recording, if the user may watch it (404 otherwise: its existence is not revealed). */
  async viewable(user: AuthUser, id: string): Promise<RecordingRow> {
    const r = await this.load(id);
    if (!(await this.canView(user, r))) throw recordingNotFound();
    return r;
  }

  private async managed(user: AuthUser, id: string): Promise<RecordingRow> {
    const r = await this.load(id);
    if (await this.canManage(user, r.room_id)) return r;
    if (await this.canView(user, r)) throw new AppError("FORBIDDEN", "Only the host of the room or an admin can do this");
    throw recordingNotFound();
  }

  // ---------------------------------------------------------------- capture

  async start(user: AuthUser, roomId: string): Promise<RecordingDto> {
    if (!UUID.test(roomId)) throw new AppError("ROOM_NOT_FOUND", "No such room");
    const room = await this.d.repo.room(roomId);
    if (!room) throw new AppError("ROOM_NOT_FOUND", "No such room");
    if (!(await this.canManage(user, roomId))) throw new AppError("FORBIDDEN", "Only the host of the room or an admin can record it");
    if (!this.d.ffmpeg) throw new AppError("RECORDING_UNAVAILABLE", FFMPEG_INSTALL_HINT);
    if (!this.sourceFactory) throw new AppError("RECORDING_UNAVAILABLE", "Recording is not available: the media layer is not connected on this server");
    if (room.status !== "live") throw new AppError("CONFLICT", "The room is not live: start the class first");
    const row = await this.d.repo.insert({
      roomId,
      startedBy: user.id,
      title: `${room.title} — ${new Date().toISOString().slice(0, 16).replace("T", " ")}`,
      nodeId: this.d.nodeId,
    });
    if (!row) throw new AppError("RECORDING_ALREADY_ACTIVE", "This room is already being recorded");
    try {
      const source = await this.sourceFactory(roomId, row.id);
      const session = new RecordingSession(row.id, roomId, source, {
        ffmpeg: this.d.ffmpeg.ffmpeg,
        dir: this.captureDir(row.id),
        repo: this.d.repo,
        log: this.d.log,
        onTrack: (track, offsetMs) => {
          if (track.source === "screen") void this.screenShareMarker(roomId, row.id, track.userId, offsetMs);
        },
      });
      this.sessions.set(row.id, session);
      await session.start();
      // The recording starts when its clock does (the recorder has the class's tracks).
      row.started_at = session.startedAt;
      await this.d.repo.update(row.id, { started_at: session.startedAt });
    } catch (err) {
      this.sessions.delete(row.id);
      await this.d.repo.update(row.id, { status: "failed", error: `could not start capture: ${String(err)}`, stopped_at: new Date() });
      throw err;
    }
    this.notify(roomId, "recording-started", { roomId, recordingId: row.id, startedAt: row.started_at.toISOString() }, false);
    this.d.log.info({ recordingId: row.id, roomId }, "recording started");
    return this.dto(row, user);
  }

  async stop(user: AuthUser, id: string): Promise<RecordingDto> {
    const r = await this.managed(user, id);
    if (r.status !== "recording") throw new AppError("CONFLICT", "This recording is not running");
    await this.stopInternal(r);
    return this.dto(await this.reloaded(id), user);
  }

  /** The room's running recording, if any (for people joining: they see the indicator). */
  async activeFor(roomId: string): Promise<{ recordingId: string; startedAt: string } | undefined> {
    const r = await this.d.repo.activeForRoom(roomId);
    return r ? { recordingId: r.id, startedAt: r.started_at.toISOString() } : undefined;
  }

  /** Stops a room's active recording (the class ended). */
  async stopRoom(roomId: string): Promise<void> {
    const r = await this.d.repo.activeForRoom(roomId);
    if (r) await this.stopInternal(r);
  }

  private async stopInternal(r: RecordingRow) {
    const stoppedAt = new Date();
    if (!(await this.d.repo.markStopped(r.id, stoppedAt))) return;
    this.notify(r.room_id, "recording-stopped", { roomId: r.room_id, recordingId: r.id, stoppedAt: stoppedAt.toISOString() }, false);
    const session = this.sessions.get(r.id);
    this.sessions.delete(r.id);
    // Finalize the files, then queue the processing (a crash in between is recovered at start).
    await session?.stop();
    await this.enqueue(r.id);
  }

  private async enqueue(recordingId: string) {
    await this.d.jobs.enqueue<ProcessPayload>(PROCESS_QUEUE, { recordingId }, { dedupeKey: recordingId, maxAttempts: 3 });
    this.d.onEnqueue?.();
  }

  /**
   * After a restart: recordings still marked `recording` by this node were cut by a crash —
   * finalize them from what is on disk and process them. Recordings left in `processing`
   * without a job get one.
   */
  async recover(): Promise<string[]> {
    const recovered: string[] = [];
    for (const r of await this.d.repo.byStatus("recording")) {
      if (this.sessions.has(r.id) || (r.node_id && r.node_id !== this.d.nodeId)) continue;
      const tracks = await this.d.repo.tracks(r.id);
      const end = Math.max(0, ...tracks.flatMap((t) => t.parts.map((p) => p.endOffsetMs ?? 0)));
      const stoppedAt = new Date(Math.max(Date.now(), r.started_at.getTime() + end));
      for (const t of tracks) if (t.status !== "finalized") await this.d.repo.updateTrack(t.id, { status: "finalized" });
      if (await this.d.repo.markStopped(r.id, stoppedAt)) {
        this.d.log.warn({ recordingId: r.id }, "recording was interrupted by a server stop; finalizing what was captured");
        await this.enqueue(r.id);
        recovered.push(r.id);
      }
    }
    for (const r of await this.d.repo.byStatus("processing")) {
      const jobs = await this.d.jobs.list(PROCESS_QUEUE);
      if (!jobs.some((j) => (j.payload as ProcessPayload).recordingId === r.id && j.status !== "failed")) {
        await this.enqueue(r.id);
        recovered.push(r.id);
      }
    }
    return recovered;
  }

  /** Stops every capture (server shutdown): files are finalized and processing queued. */
  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.sessions.keys()].map(async (id) => {
        const r = await this.d.repo.byId(id);
        if (r) await this.stopInternal(r).catch((err) => this.d.log.error({ err }, "stopping a recording failed"));
      }),
    );
  }

  // ---------------------------------------------------------------- reads and edits

  async get(user: AuthUser, id: string): Promise<RecordingDto> {
    return this.dto(await this.viewable(user, id), user);
  }

  async list(user: AuthUser, roomId?: string): Promise<RecordingDto[]> {
    let rows = await this.d.repo.list({ roomId });
    if (user.role !== "admin") {
      const { hosted, attended } = await this.d.repo.roomsOf(user.id);
      rows = rows.filter((r) => hosted.includes(r.room_id) || (r.visibility === "participants" && attended.includes(r.room_id)));
    }
    return this.dtos(rows, user);
  }

  async update(user: AuthUser, id: string, body: { title?: string; visibility?: "private" | "participants" }): Promise<RecordingDto> {
    await this.managed(user, id);
    await this.d.repo.update(id, body);
    return this.dto(await this.reloaded(id), user);
  }

  async remove(user: AuthUser, id: string): Promise<void> {
    const r = await this.managed(user, id);
    if (r.status === "recording") await this.stopInternal(r);
    await this.d.repo.delete(id);
    await this.d.storage.deletePrefix(`rec/${id}/`);
    const { rmSync } = await import("node:fs");
    rmSync(this.captureDir(id), { recursive: true, force: true });
  }

  /**
   * `opts.authorized`: the caller already checked the live role (host or presenter in the room,
   * the socket's `add-marker`); otherwise only the room's host or an admin may add a marker.
   */
  async addMarker(user: AuthUser, roomId: string, label: string, kind = "marker", opts: { authorized?: boolean } = {}): Promise<RecordingMarkerDto> {
    // Permission first: whether a room is being recorded is not told to those who may not mark it.
    if (kind === "marker" && !opts.authorized && !(await this.canManage(user, roomId))) throw new AppError("FORBIDDEN", "Only the host can add markers");
    const r = await this.d.repo.activeForRoom(roomId);
    if (!r) throw new AppError("CONFLICT", "This room is not being recorded");
    const m = await this.d.repo.addMarker({ recordingId: r.id, userId: user.id, kind, label, offsetMs: Date.now() - r.started_at.getTime() });
    const dto = markerDto(m);
    this.notify(roomId, "recording-marker", { roomId, recordingId: r.id, marker: dto }, true);
    return dto;
  }

  /**
   * An automatic marker (`screen`, `hand`, …) on the room's running recording, if there is one;
   * nothing otherwise. Never throws (it follows what happens in the class).
   */
  async autoMarker(roomId: string, kind: string, label: string, userId: string | null): Promise<RecordingMarkerDto | undefined> {
    try {
      const r = await this.d.repo.activeForRoom(roomId);
      if (!r) return undefined;
      return await this.saveMarker(roomId, r.id, { kind, label, userId, offsetMs: Date.now() - r.started_at.getTime() });
    } catch (err) {
      this.d.log.warn({ err, roomId, kind }, "could not add an automatic marker");
      return undefined;
    }
  }

  /** A screen share started being recorded (offset on the capture clock, as the track's). */
  private async screenShareMarker(roomId: string, recordingId: string, userId: string | null, offsetMs: number) {
    try {
      const name = userId ? await this.d.repo.userName(userId) : undefined;
      await this.saveMarker(roomId, recordingId, { kind: "screen", label: name ? `Screen share — ${name}` : "Screen share", userId, offsetMs });
    } catch (err) {
      this.d.log.warn({ err, recordingId }, "could not add the screen share marker");
    }
  }

  private async saveMarker(roomId: string, recordingId: string, m: { kind: string; label: string; userId: string | null; offsetMs: number }) {
    const dto = markerDto(await this.d.repo.addMarker({ recordingId, ...m, label: m.label.slice(0, 200) }));
    this.notify(roomId, "recording-marker", { roomId, recordingId, marker: dto }, true);
    return dto;
  }

  async chat(r: RecordingRow): Promise<RecordingChatResponse> {
    const to = r.stopped_at ?? new Date();
    const msgs = await this.d.repo.chatBetween(r.room_id, r.started_at, to);
    return {
      messages: msgs.map((m) => ({
        seq: m.seq,
        authorName: m.author_name,
        text: m.text,
        offsetMs: new Date(m.created_at).getTime() - r.started_at.getTime(),
        createdAt: new Date(m.created_at).toISOString(),
      })),
    };
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
  async signed(id: string, q: Record<string, unknown>): Promise<{ recording: RecordingRow; access: PlaybackAccess } | undefined> {
    const recording = await this.load(id);
    const access = await this.links.check(recording, q);
    return access && { recording, access };
  }

  // ---------------------------------------------------------------- DTOs

  /** `viewer`: whose URLs (`urls`) the DTO carries — an account, or a share link's access. */
  async dto(r: RecordingRow, viewer: Viewer | PlaybackAccess): Promise<RecordingDto> {
    const [dto] = await this.dtos([r], viewer);
    if (!dto) throw new Error(`no DTO for recording ${r.id}`);
    return dto;
  }

  /** The recording as stored now (after a change); deleted meanwhile → RECORDING_NOT_FOUND. */
  private async reloaded(id: string): Promise<RecordingRow> {
    const row = await this.d.repo.byId(id);
    if (!row) throw new AppError("RECORDING_NOT_FOUND", "No such recording");
    return row;
  }

  async dtos(rows: RecordingRow[], viewer: Viewer | PlaybackAccess): Promise<RecordingDto[]> {
    const access = "grant" in viewer ? viewer : this.accessFor(viewer);
    const ids = rows.map((r) => r.id);
    const tracks = await this.d.repo.tracksOf(ids);
    const markers = await this.d.repo.markers(ids);
    return rows.map((r) => recordingDto(r, tracks, markers, r.status === "ready" ? this.playbackQuery(r.id, access) : undefined));
  }
}

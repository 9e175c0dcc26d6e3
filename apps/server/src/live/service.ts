import { randomUUID } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import { sql } from "kysely";
import type { Logger } from "pino";
import type { LiveChatMessageDto, LiveLinkDto, LiveStatusDto, StartLiveBody } from "@vtp/protocol";
import { isUuid } from "@vtp/protocol";
import { AppError } from "../errors/index.js";
import type { DB } from "../db/index.js";
import type { AuthUser } from "../auth/guard.js";
import type { RecorderSourceFactory } from "../recording/source.js";
import { FFMPEG_INSTALL_HINT } from "../recording/ffmpeg.js";
import { validRtmpUrl } from "./args.js";
import { LiveStream } from "./LiveStream.js";
import { LiveLinks, MemberKeys, type LiveLinkRow } from "./links.js";
import { CdnPush } from "./CdnPush.js";
import { llFile, type LlFile } from "./llhls/serve.js";
import type { Storage } from "../storage/index.js";

export interface LiveServiceDeps {
  db: DB;
  log: Logger;
  dataDir: string;
  publicUrl: string;
  secret: string;
  ffmpeg?: string;
  sourceFactory?: RecorderSourceFactory;
  /** Publishing through a CDN (LIVE_CDN_URL): the bucket it serves and its public address. */
  cdn?: { storage: Storage; url: string };
}

/** A class's stream on this server: live, or ended a moment ago (its playlists still answer, ended). */
interface Entry {
  stream: LiveStream;
  hostId: string;
  title: string;
  chatEnabled: boolean;
  chat: LiveChatMessageDto[];
  seq: number;
  viewers: Map<string, number>;
  ended: boolean;
  /** The copy pushed to the CDN's bucket, when the host asked for one. */
  push?: CdnPush;
  cleanup?: NodeJS.Timeout;
}

const roomNotFound = () => new AppError("ROOM_NOT_FOUND", "No such room");
const VIEWER_WINDOW_MS = 15_000;
const ENDED_KEPT_MS = 120_000;

/**
 * Live streaming of classes: the host (or an admin) starts and stops a class's stream, hands
 * out and revokes stream links; class members (the host, and those who attended) and link
 * holders watch it over HLS, are counted while their page polls, and chat when the host allows.
 * The streams live in this process (one app server composes each class it streams).
 */
export class LiveService {
  private readonly streams = new Map<string, Entry>();
  /** Rooms whose stream is being set up (a second start meanwhile is refused). */
  private readonly starting = new Set<string>();
  readonly links: LiveLinks;
  private readonly keys: MemberKeys;

  constructor(private readonly deps: LiveServiceDeps) {
    this.links = new LiveLinks(deps.db);
    this.keys = new MemberKeys(deps.secret);
  }

  /** "manage" (host, admin), "view" (attended the class); 404 for anyone else: the room is not revealed. */
  async access(user: AuthUser, roomId: string): Promise<{ level: "manage" | "view"; room: { host_id: string; status: string; title: string } }> {
    if (!isUuid(roomId)) throw roomNotFound();
    const { rows } = await sql<{ host_id: string; status: string; title: string }>`select host_id, status, title from rooms where id = ${roomId}`.execute(
      this.deps.db,
    );
    const room = rows[0];
    if (!room) throw roomNotFound();
    if (user.role === "admin" || room.host_id === user.id) return { level: "manage", room };
    const attended = await sql`select 1 from attendance where room_id = ${roomId} and user_id = ${user.id} limit 1`.execute(this.deps.db);
    if (attended.rows.length) return { level: "view", room };
    throw roomNotFound();
  }

  private async managed(user: AuthUser, roomId: string) {
    const access = await this.access(user, roomId);
    if (access.level !== "manage") throw new AppError("FORBIDDEN", "Only the host of the class or an admin can do this");
    return access.room;
  }

  async start(user: AuthUser, roomId: string, body: StartLiveBody): Promise<LiveStatusDto> {
    const room = await this.managed(user, roomId);
    if (body.rtmpUrl !== undefined && !validRtmpUrl(body.rtmpUrl))
      throw new AppError("INVALID_RTMP_URL", "rtmpUrl: must be an rtmp:// or rtmps:// address", [
        { field: "rtmpUrl", problem: "must be an rtmp:// or rtmps:// address" },
      ]);
    if (!this.deps.ffmpeg) throw new AppError("LIVE_UNAVAILABLE", FFMPEG_INSTALL_HINT);
    if (!this.deps.sourceFactory) throw new AppError("LIVE_UNAVAILABLE", "Live streaming is not available: the media layer is not connected on this server");
    // A choice this server does not offer: the request's fault (4xx), not the server's.
    if (body.cdn && !this.deps.cdn)
      throw new AppError("VALIDATION_FAILED", "cdn: this server has no CDN to publish through (LIVE_CDN_URL)", [
        { field: "cdn", problem: "no CDN configured on this server" },
      ]);
    if (room.status !== "live") throw new AppError("CONFLICT", "The class is not live: start the class first");
    const current = this.streams.get(roomId);
    if ((current && !current.ended) || this.starting.has(roomId)) throw new AppError("LIVE_ALREADY_ACTIVE", "This class is already streamed live");
    this.starting.add(roomId);
    try {
      if (current) this.forget(roomId, current);
      return await this.launch(roomId, room, body);
    } finally {
      this.starting.delete(roomId);
    }
  }

  private async launch(roomId: string, room: { host_id: string; title: string }, body: StartLiveBody): Promise<LiveStatusDto> {
    if (!this.deps.ffmpeg || !this.deps.sourceFactory) throw new AppError("LIVE_UNAVAILABLE", "Live streaming is not available on this server");
    const id = randomUUID();
    const source = await this.deps.sourceFactory(roomId, `live-${id}`);
    const stream = new LiveStream(id, roomId, source, {
      ffmpeg: this.deps.ffmpeg,
      dir: path.join(this.deps.dataDir, "live", id),
      hostId: room.host_id,
      log: this.deps.log,
      rtmpUrl: body.rtmpUrl,
    });
    const entry: Entry = {
      stream,
      hostId: room.host_id,
      title: room.title,
      chatEnabled: body.chat ?? false,
      chat: [],
      seq: 0,
      viewers: new Map(),
      ended: false,
      push: body.cdn && this.deps.cdn ? new CdnPush(this.deps.cdn.storage, path.join(this.deps.dataDir, "live", id), id, this.deps.log) : undefined,
    };
    this.streams.set(roomId, entry);
    try {
      await stream.start();
      entry.push?.start();
    } catch (err) {
      this.streams.delete(roomId);
      await stream.stop().catch(() => {});
      throw err;
    }
    this.deps.log.info({ roomId, streamId: id, rtmp: Boolean(body.rtmpUrl), cdn: Boolean(entry.push) }, "live stream started");
    return this.statusOf(roomId, entry, "manage");
  }

  async stop(user: AuthUser, roomId: string): Promise<void> {
    await this.managed(user, roomId);
    const entry = this.streams.get(roomId);
    if (!entry || entry.ended) throw new AppError("LIVE_NOT_ACTIVE", "This class is not streamed live");
    await this.end(roomId, entry);
  }

  /** The class ended (or the server stops): its stream ends too. */
  async stopRoom(roomId: string): Promise<void> {
    const entry = this.streams.get(roomId);
    if (entry && !entry.ended) await this.end(roomId, entry);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.streams.keys()].map((roomId) => this.stopRoom(roomId)));
  }

  private async end(roomId: string, entry: Entry) {
    entry.ended = true;
    await entry.stream.stop();
    await entry.push?.stop();
    this.deps.log.info({ roomId, streamId: entry.stream.id }, "live stream stopped");
    // The ended playlists answer for a while (players see #EXT-X-ENDLIST), then the files go.
    entry.cleanup = setTimeout(() => this.forget(roomId, entry), ENDED_KEPT_MS);
    entry.cleanup.unref?.();
  }

  private forget(roomId: string, entry: Entry) {
    if (entry.cleanup) clearTimeout(entry.cleanup);
    if (this.streams.get(roomId) === entry) this.streams.delete(roomId);
    rmSync(path.join(this.deps.dataDir, "live", entry.stream.id), { recursive: true, force: true });
    entry.push?.remove().catch((err) => this.deps.log.warn({ err, streamId: entry.stream.id }, "live stream: its CDN copy was not removed"));
  }

  async status(user: AuthUser, roomId: string, viewer?: string): Promise<LiveStatusDto> {
    const { level, room } = await this.access(user, roomId);
    const entry = this.streams.get(roomId);
    if (entry && viewer && level === "view") entry.viewers.set(viewer, Date.now());
    const status = this.statusOf(roomId, entry, level, room.title);
    if (level === "manage") status.links = (await this.links.list(roomId)).map(linkDto);
    return status;
  }

  async statusByToken(token: string, viewer?: string): Promise<LiveStatusDto> {
    const roomId = await this.roomOfToken(token);
    const entry = this.streams.get(roomId);
    if (entry && viewer) entry.viewers.set(viewer, Date.now());
    const { rows } = await sql<{ title: string }>`select title from rooms where id = ${roomId}`.execute(this.deps.db);
    return this.statusOf(roomId, entry, "link", rows[0]?.title ?? "", token);
  }

  private statusOf(roomId: string, entry: Entry | undefined, level: "manage" | "view" | "link", title?: string, token?: string): LiveStatusDto {
    const live = !!entry && !entry.ended;
    const now = Date.now();
    let viewers = 0;
    for (const [id, seen] of entry?.viewers ?? []) {
      if (now - seen < VIEWER_WINDOW_MS) viewers++;
      else entry?.viewers.delete(id);
    }
    const base = token ? `/api/v1/live/s/${token}/hls` : `/api/v1/live/m/${this.keys.issue(roomId)}/hls`;
    const cdnMaster = entry?.push && this.deps.cdn ? `${this.deps.cdn.url}/${entry.push.masterKey}` : null;
    return {
      roomId,
      title: title ?? entry?.title ?? "",
      live,
      startedAt: entry && live ? entry.stream.startedAt.toISOString() : null,
      // Low-latency HLS from this server (its segments are whole fMP4 segments for players without LL support).
      playbackUrl: entry ? (cdnMaster ?? `${base}/ll/master.m3u8`) : null,
      viewers,
      chatEnabled: live && !!entry?.chatEnabled,
      chat: entry?.chat.slice(-50) ?? [],
      ...(level === "manage" ? { rtmp: entry?.stream.rtmp ?? null, cdnAvailable: Boolean(this.deps.cdn), cdn: Boolean(cdnMaster) } : {}),
    };
  }

  async createLink(user: AuthUser, roomId: string): Promise<{ link: LiveLinkDto; token: string; url: string }> {
    await this.managed(user, roomId);
    const { link, token } = await this.links.create(roomId, user.id);
    return { link: linkDto(link), token, url: `${this.deps.publicUrl.replace(/\/$/, "")}/live/s/${token}` };
  }

  async revokeLink(user: AuthUser, roomId: string, linkId: string): Promise<void> {
    await this.managed(user, roomId);
    if (!(await this.links.revoke(roomId, linkId))) throw new AppError("LIVE_LINK_NOT_FOUND", "This class has no such active stream link");
  }

  private async roomOfToken(token: string): Promise<string> {
    const roomId = await this.links.roomOf(token);
    if (!roomId) throw new AppError("LIVE_LINK_NOT_FOUND", "This stream link does not exist or was revoked");
    return roomId;
  }

  /** A viewer's chat message (members by their name, link holders by the name they give). */
  async chat(roomId: string, name: string, text: string): Promise<LiveChatMessageDto> {
    const entry = this.streams.get(roomId);
    if (!entry || entry.ended) throw new AppError("LIVE_NOT_ACTIVE", "This class is not streamed live");
    if (!entry.chatEnabled) throw new AppError("CHAT_DISABLED", "The host has not opened the chat of this stream");
    const message = { seq: ++entry.seq, name: name.trim().slice(0, 60), text: text.trim().slice(0, 500), at: new Date().toISOString() };
    if (!message.name || !message.text) throw new AppError("VALIDATION_FAILED", "name and text must not be blank");
    entry.chat.push(message);
    if (entry.chat.length > 200) entry.chat.splice(0, entry.chat.length - 200);
    return message;
  }

  async chatAsMember(user: AuthUser, roomId: string, text: string): Promise<LiveChatMessageDto> {
    await this.access(user, roomId);
    return this.chat(roomId, user.fullName, text);
  }

  async chatByToken(token: string, name: string, text: string): Promise<LiveChatMessageDto> {
    return this.chat(await this.roomOfToken(token), name, text);
  }

  /** The stream a playback key (member) or token (link) opens, if it has one. */
  private async streamFor(grant: { key: string } | { token: string }): Promise<Entry> {
    const roomId = "key" in grant ? this.keys.roomOf(grant.key) : await this.links.roomOf(grant.token);
    if (!roomId)
      throw "key" in grant ? new AppError("NOT_FOUND", "Not found") : new AppError("LIVE_LINK_NOT_FOUND", "This stream link does not exist or was revoked");
    const entry = this.streams.get(roomId);
    if (!entry) throw new AppError("NOT_FOUND", "Not found");
    return entry;
  }

  /** The file of a room's stream a playback key (member) or token (link) asks for, if it exists. */
  async fileFor(grant: { key: string } | { token: string }, rel: string): Promise<string> {
    const entry = await this.streamFor(grant);
    const notFound = new AppError("NOT_FOUND", "Not found");
    if (!/^(?:(?:720p|360p)\/)?[\w-]+\.(?:m3u8|ts)$/.test(rel)) throw notFound;
    const file = path.join(this.deps.dataDir, "live", entry.stream.id, rel);
    if (!existsSync(file)) throw notFound;
    return file;
  }

  /** A low-latency HLS file (`ll/…`, in memory; llhls/serve.ts), held while a blocking request waits. */
  async llFileFor(grant: { key: string } | { token: string }, rel: string, query: Record<string, unknown>): Promise<LlFile> {
    const entry = await this.streamFor(grant);
    return llFile(entry.stream.ll, rel, query);
  }

  /** Streams live now (for the status page and tests). */
  active(): { roomId: string; streamId: string; tracks: number; runs: number }[] {
    return [...this.streams.entries()]
      .filter(([, entry]) => !entry.ended)
      .map(([roomId, entry]) => ({ roomId, streamId: entry.stream.id, tracks: entry.stream.feeds.size, runs: entry.stream.runs }));
  }
}

function linkDto(row: LiveLinkRow): LiveLinkDto {
  return { id: row.id, createdAt: new Date(row.created_at).toISOString(), revokedAt: row.revoked_at ? new Date(row.revoked_at).toISOString() : null };
}

import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import type { Storage } from "../storage/index.js";

/** Playlists change every segment: a CDN keeps them a second. Segments never change. */
const PLAYLIST_CACHE = "public, max-age=1";
const SEGMENT_CACHE = "public, max-age=86400, immutable";
const RENDITION_PLAYLISTS = ["720p/index.m3u8", "360p/index.m3u8"];

/**
 * A live stream's HLS copied to S3-compatible storage as it is written, for a CDN in front of the
 * bucket: every half second each rendition's new segments go up first, then its playlist (so a
 * playlist never names a segment the bucket lacks), and segments that left the playlist's window
 * are deleted. The master playlist goes up once it exists. `stop` pushes the ended playlists.
 * Keys: `live/<stream id>/master.m3u8`, `live/<stream id>/720p/seg00001.ts`, …
 */
export class CdnPush {
  private readonly uploaded = new Map<string, Set<string>>();
  private readonly playlists = new Map<string, string>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private failures = 0;

  constructor(
    private readonly storage: Storage,
    private readonly dir: string,
    private readonly streamId: string,
    private readonly log: Logger,
  ) {}

  /** The master playlist's key in the bucket. */
  get masterKey(): string {
    return `${this.prefix}master.m3u8`;
  }

  private get prefix(): string {
    return `live/${this.streamId}/`;
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), 500);
  }

  /** One more push after the compositor ended (the playlists now end with #EXT-X-ENDLIST). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.sync().catch((err) => this.log.warn({ err, streamId: this.streamId }, "live CDN push: the last push failed"));
  }

  /** Removes the stream's copy from the bucket. */
  async remove(): Promise<void> {
    await this.storage.deletePrefix(this.prefix);
  }

  private async tick() {
    if (this.running) return;
    this.running = this.sync().then(
      () => {
        this.failures = 0;
      },
      (err) => {
        // Said once per run of failures: the next tick tries again.
        if (this.failures++ === 0) this.log.warn({ err, streamId: this.streamId }, "live CDN push failed; retrying");
      },
    );
    await this.running;
    this.running = undefined;
  }

  private async sync() {
    for (const playlist of RENDITION_PLAYLISTS) await this.syncRendition(playlist);
    await this.putPlaylist("master.m3u8");
  }

  private async syncRendition(playlist: string) {
    const text = this.read(playlist);
    if (text === undefined || text === this.playlists.get(playlist)) return;
    const folder = path.posix.dirname(playlist);
    const listed = text.split("\n").filter((line) => /^[\w-]+\.ts$/.test(line.trim()));
    const done = this.uploaded.get(folder) ?? new Set<string>();
    this.uploaded.set(folder, done);
    for (const segment of listed) {
      if (done.has(segment)) continue;
      const file = path.join(this.dir, folder, segment);
      // Gone already (deleted past the window before this push): the playlist will not keep it.
      if (!existsSync(file)) continue;
      await this.storage.putFile(`${this.prefix}${folder}/${segment}`, file, { cacheControl: SEGMENT_CACHE });
      done.add(segment);
    }
    await this.putPlaylist(playlist, text);
    const kept = new Set(listed);
    for (const segment of [...done]) {
      if (kept.has(segment)) continue;
      await this.storage.deletePrefix(`${this.prefix}${folder}/${segment}`);
      done.delete(segment);
    }
  }

  private async putPlaylist(name: string, text = this.read(name)) {
    if (text === undefined || text === this.playlists.get(name)) return;
    await this.storage.put(`${this.prefix}${name}`, Buffer.from(text), { cacheControl: PLAYLIST_CACHE });
    this.playlists.set(name, text);
  }

  private read(name: string): string | undefined {
    try {
      return readFileSync(path.join(this.dir, name), "utf8");
    } catch {
      return undefined;
    }
  }
}

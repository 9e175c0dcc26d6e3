import { createReadStream, createWriteStream } from "node:fs";
import { copyFile, mkdir, readdir, rm, stat, rename } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { checkKey, contentTypeFor, StorageNotFound, type ByteRange, type Storage, type StoredObject } from "./Storage.js";

/** Objects as files under one root directory (`$VTP_DATA_DIR/recordings` by default). */
export class LocalStorage implements Storage {
  readonly kind = "local" as const;

  constructor(readonly root: string) {}

  /** The file behind a key (for FFmpeg, which reads local files directly). */
  pathOf(key: string): string {
    return path.join(this.root, ...checkKey(key).split("/"));
  }

  async put(key: string, body: Readable | Buffer): Promise<void> {
    const file = this.pathOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.part-${process.pid}-${Date.now()}`;
    try {
      await pipeline(Buffer.isBuffer(body) ? Readable.from([body]) : body, createWriteStream(tmp));
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async putFile(key: string, filePath: string): Promise<void> {
    const file = this.pathOf(key);
    if (path.resolve(filePath) === file) return;
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.part-${process.pid}-${Date.now()}`;
    await copyFile(filePath, tmp);
    await rename(tmp, file);
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const file = this.pathOf(key);
    const st = await stat(file).catch(() => undefined);
    if (!st?.isFile()) throw new StorageNotFound(key);
    return createReadStream(file, range ? { start: range.start, end: range.end } : {});
  }

  async stat(key: string): Promise<StoredObject | undefined> {
    const st = await stat(this.pathOf(key)).catch(() => undefined);
    if (!st?.isFile()) return undefined;
    return { key, size: st.size, contentType: contentTypeFor(key), modifiedAt: st.mtime };
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    const walk = async (dir: string, rel: string) => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        const key = rel ? `${rel}/${entry.name}` : entry.name;
        if (entry.isDirectory()) await walk(path.join(dir, entry.name), key);
        else if (entry.isFile() && key.startsWith(prefix) && !/\.part-\d+-\d+$/.test(key)) {
          const st = await stat(path.join(dir, entry.name));
          out.push({ key, size: st.size, contentType: contentTypeFor(key), modifiedAt: st.mtime });
        }
      }
    };
    // Start at the deepest directory that the prefix names completely.
    const dirPart = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
    await walk(dirPart ? this.pathOf(dirPart) : this.root, dirPart);
    return out.sort((a, b) => a.key.localeCompare(b.key));
  }

  async deletePrefix(prefix: string): Promise<number> {
    const objects = await this.list(prefix);
    for (const o of objects) await rm(this.pathOf(o.key), { force: true });
    // Remove a directory the prefix names exactly (e.g. "rec/<id>/").
    if (prefix.endsWith("/")) await rm(this.pathOf(prefix.slice(0, -1)), { recursive: true, force: true });
    return objects.length;
  }
}

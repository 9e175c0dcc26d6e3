import type { Readable } from "node:stream";

/** What `stat` reports about a stored object. */
export interface StoredObject {
  key: string;
  size: number;
  contentType?: string;
  modifiedAt?: Date;
}

/** An inclusive byte range, as in HTTP `Range: bytes=start-end`. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface PutOptions {
  contentType?: string;
  /** The Cache-Control a CDN in front of the bucket sees (S3 only; local files are served by VTP). */
  cacheControl?: string;
}

/**
 * Where recordings and their outputs live: keys are `/`-separated paths such as
 * `rec/<id>/out/recording.mp4`. Implemented on local disk and on S3-compatible storage.
 * Every method streams; nothing reads a whole file into memory.
 */
export interface Storage {
  readonly kind: "local" | "s3";
  /** Stores a stream (or a Buffer) under `key`, replacing any previous object. */
  put(key: string, body: Readable | Buffer, opts?: PutOptions): Promise<void>;
  /** Stores a local file under `key` (multipart for large files on S3). */
  putFile(key: string, filePath: string, opts?: PutOptions): Promise<void>;
  /** A stream of the object (or of `range` of it). Throws StorageNotFound when absent. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  /** Size and type, or undefined when absent. */
  stat(key: string): Promise<StoredObject | undefined>;
  /** Every object whose key starts with `prefix`. */
  list(prefix: string): Promise<StoredObject[]>;
  /** Removes every object whose key starts with `prefix`; returns how many. */
  deletePrefix(prefix: string): Promise<number>;
}

export class StorageNotFound extends Error {
  constructor(readonly key: string) {
    super(`No stored object ${key}`);
    this.name = "StorageNotFound";
  }
}

/** Keys never climb out of their root, whatever a caller passes. */
export function checkKey(key: string): string {
  if (!key || key.startsWith("/") || key.split("/").some((p) => p === ".." || p === "." || p === "") || key.includes("\\") || key.includes("\0")) {
    throw new Error(`Invalid storage key: ${JSON.stringify(key)}`);
  }
  return key;
}

const TYPES: Record<string, string> = {
  mp4: "video/mp4",
  m3u8: "application/vnd.apple.mpegurl",
  ts: "video/mp2t",
  m4s: "video/iso.segment",
  jpg: "image/jpeg",
  json: "application/json",
  webm: "video/webm",
  mkv: "video/x-matroska",
  ogg: "audio/ogg",
  log: "text/plain",
  sdp: "application/sdp",
};

export function contentTypeFor(key: string): string {
  const ext = key.slice(key.lastIndexOf(".") + 1).toLowerCase();
  return TYPES[ext] ?? "application/octet-stream";
}

import { statSync } from "node:fs";
import path from "node:path";

/**
 * The admin channel: a Unix domain socket inside the data directory through which the `vtp`
 * CLI asks the running server to do admin work on its own database. It lives in a directory
 * of mode 0700 owned by the server's user, so only that user (and root) can reach it.
 *
 * One request per connection, one line of JSON each way:
 *   → {"command":"create-admin","args":{"email":"…","password":"…","name":"…"}}
 *   ← {"ok":true,"result":{…}}   or   {"ok":false,"error":{"code":"WEAK_PASSWORD","message":"…"}}
 */
export type AdminRequest = { command: "ping" } | { command: "create-admin"; args: { email: string; password: string; name?: string } };

export type AdminResponse = { ok: true; result: Record<string, unknown> } | { ok: false; error: { code: string; message: string } };

/** Requests larger than this are refused; a create-admin request is a few hundred bytes. */
export const MAX_REQUEST_BYTES = 64 * 1024;

/** Linux allows 108 bytes for a socket path, including the terminating zero. */
export const MAX_SOCKET_PATH = 107;

export function adminChannelDir(dataDir: string): string {
  return path.join(dataDir, "run");
}

export function adminSocketPath(dataDir: string): string {
  return path.join(adminChannelDir(dataDir), "admin.sock");
}

/**
 * Why the channel's directory cannot be trusted, or undefined when it can: it must belong to
 * this user and be closed to everyone else, or another account could listen in its place.
 */
export function untrustedChannelDir(dir: string): string | undefined {
  const st = statSync(dir);
  if (!st.isDirectory()) return `${dir} is not a directory`;
  if (typeof process.getuid === "function" && st.uid !== process.getuid()) return `${dir} belongs to another user (uid ${st.uid})`;
  if (st.mode & 0o077) return `${dir} can be reached by other users (mode ${(st.mode & 0o777).toString(8)})`;
  return undefined;
}

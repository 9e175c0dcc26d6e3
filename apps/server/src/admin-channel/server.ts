import { chmodSync, mkdirSync, unlinkSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import type { Logger } from "pino";
import type { AccountService } from "../auth/service.js";
import { AppError } from "../errors/index.js";
import { VERSION } from "../version.js";
import { adminChannelDir, adminSocketPath, MAX_REQUEST_BYTES, MAX_SOCKET_PATH, untrustedChannelDir, type AdminResponse } from "./protocol.js";

export interface AdminChannel {
  readonly socketPath: string;
  close(): Promise<void>;
}

/** A client that sends nothing for this long is dropped. */
const IDLE_MS = 10_000;

/**
 * Listens on the data directory's admin socket and performs each command with the server's
 * own services (the same validation as the REST API). The caller must own the data
 * directory's lock: any socket file found there is a leftover and is replaced.
 * Resolves undefined (after a warning) when the channel cannot be opened safely.
 */
export async function startAdminChannel(opts: { dataDir: string; accounts: AccountService; log: Logger }): Promise<AdminChannel | undefined> {
  const { log } = opts;
  const dir = adminChannelDir(opts.dataDir);
  const socketPath = adminSocketPath(opts.dataDir);
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    log.warn({ socketPath }, "admin channel disabled: the data directory's path is too long for a socket; admin commands need the server stopped");
    return undefined;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (untrustedChannelDir(dir)) chmodSync(dir, 0o700);
  const problem = untrustedChannelDir(dir);
  if (problem) {
    log.warn({ problem }, "admin channel disabled: its directory is not private");
    return undefined;
  }
  try {
    unlinkSync(socketPath);
  } catch {
    /* no leftover */
  }

  const clients = new Set<Socket>();
  const server = createServer((socket) => {
    clients.add(socket);
    socket.on("close", () => clients.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.setTimeout(IDLE_MS, () => socket.destroy());
    let buffered = "";
    let answered = false;
    socket.on("data", (chunk) => {
      if (answered) return;
      buffered += chunk.toString("utf8");
      const end = buffered.indexOf("\n");
      if (end < 0 && buffered.length <= MAX_REQUEST_BYTES) return;
      answered = true;
      const reply = (response: AdminResponse) => socket.end(`${JSON.stringify(response)}\n`);
      if (end < 0) return reply(failure("PAYLOAD_TOO_LARGE", "The request is too large"));
      perform(buffered.slice(0, end), opts.accounts, log).then(reply, (err) => {
        log.error({ err }, "admin channel command failed");
        reply(failure("INTERNAL_ERROR", "The server could not perform the command; see its log"));
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => {
      server.off("error", reject);
      resolve();
    });
  });
  chmodSync(socketPath, 0o600);
  log.debug({ socketPath }, "admin channel listening");

  let closing: Promise<void> | undefined;
  return {
    socketPath,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        for (const c of clients) c.destroy();
        server.close(() => resolve());
      }).finally(() => {
        try {
          unlinkSync(socketPath);
        } catch {
          /* already gone */
        }
      })),
  };
}

async function perform(line: string, accounts: AccountService, log: Logger): Promise<AdminResponse> {
  let req: unknown;
  try {
    req = JSON.parse(line);
  } catch {
    return failure("INVALID_JSON", "The request is not JSON");
  }
  if (!isObject(req) || typeof req.command !== "string") return failure("VALIDATION_FAILED", "The request needs a command");
  switch (req.command) {
    case "ping":
      return { ok: true, result: { pid: process.pid, version: VERSION } };
    case "create-admin": {
      const args = req.args;
      if (
        !isObject(args) ||
        typeof args.email !== "string" ||
        typeof args.password !== "string" ||
        (args.name !== undefined && typeof args.name !== "string")
      ) {
        return failure("VALIDATION_FAILED", "create-admin needs an email and a password (strings) and optionally a name");
      }
      try {
        const { user, created } = await accounts.ensureAdmin({ email: args.email, password: args.password, fullName: args.name });
        log.info({ email: user.email, created }, "admin account set through the admin channel");
        return { ok: true, result: { created, user: { id: user.id, email: user.email, fullName: user.fullName } } };
      } catch (err) {
        if (err instanceof AppError) return failure(err.code, err.message);
        throw err;
      }
    }
    default:
      return failure("BAD_REQUEST", `Unknown admin command "${req.command}"`);
  }
}

function failure(code: string, message: string): AdminResponse {
  return { ok: false, error: { code, message } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

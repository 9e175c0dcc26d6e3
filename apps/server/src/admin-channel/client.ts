import { existsSync } from "node:fs";
import { connect } from "node:net";
import { adminChannelDir, adminSocketPath, MAX_REQUEST_BYTES, untrustedChannelDir, type AdminRequest, type AdminResponse } from "./protocol.js";

/** The channel cannot be used: nobody listens, or its directory is not private. */
export class AdminChannelUnavailable extends Error {
  name = "AdminChannelUnavailable";
}

/**
 * Sends one request to the server that owns `dataDir` and resolves its answer. Refuses to
 * send (the request may carry a password) unless the socket's directory is this user's and
 * private.
 */
export async function sendAdminRequest(dataDir: string, request: AdminRequest, opts: { timeoutMs?: number } = {}): Promise<AdminResponse> {
  const socketPath = adminSocketPath(dataDir);
  if (!existsSync(socketPath)) throw new AdminChannelUnavailable(`no admin socket at ${socketPath}`);
  const problem = untrustedChannelDir(adminChannelDir(dataDir));
  if (problem) throw new AdminChannelUnavailable(`the admin socket's directory is not trusted: ${problem}`);
  const timeoutMs = opts.timeoutMs ?? 30_000;

  return new Promise<AdminResponse>((resolve, reject) => {
    const socket = connect(socketPath);
    let answer = "";
    let connected = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server did not answer within ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    socket.on("connect", () => {
      connected = true;
      socket.write(`${JSON.stringify(request)}\n`);
    });
    socket.on("data", (chunk) => {
      answer += chunk.toString("utf8");
      if (answer.length > MAX_REQUEST_BYTES) socket.destroy(new Error("the server's answer is too large"));
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(connected ? err : new AdminChannelUnavailable(`cannot connect to ${socketPath} (${err.code ?? err.message})`));
    });
    socket.on("end", () => {
      clearTimeout(timer);
      const line = answer.split("\n")[0];
      try {
        resolve(JSON.parse(line) as AdminResponse);
      } catch {
        reject(new Error("the server's answer was cut short; it may have stopped meanwhile"));
      }
    });
  });
}

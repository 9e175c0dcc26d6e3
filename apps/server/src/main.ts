import type { Socket } from "node:net";
import type { FastifyInstance } from "fastify";
import { buildApp, createLogger } from "./app.js";
import type { Config } from "./config/index.js";
import { openDatabase, migrate } from "./db/index.js";
import { startAdminChannel } from "./admin-channel/index.js";

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  stop(): Promise<void>;
  /** What the shutdown is waiting for (for the log when it takes too long). */
  shutdownStage(): string;
}

/**
 * Opens (and locks) the database, migrates it, creates the first admin if asked, opens the
 * admin channel for `vtp create-admin` and listens.
 */
export async function startServer(config: Config): Promise<RunningServer> {
  const log = createLogger(config);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, owner: "vtp start", settings: config.database });
  let app: FastifyInstance | undefined;
  let stage = "running";
  const setStage = (next: string) => {
    stage = next;
    log.debug({ stage }, "shutdown stage");
  };
  const connections = new Set<Socket>();
  try {
    const applied = await migrate(database);
    if (applied.length) log.info({ applied }, "database migrated");
    app = await buildApp(config, { database, logger: log });
    app.server.on("connection", (socket: Socket) => {
      connections.add(socket);
      socket.once("close", () => connections.delete(socket));
    });
    // preClose hooks run in order (the app's first), onClose hooks in reverse after the HTTP server closed.
    app.addHook("preClose", async () => setStage("waiting for HTTP connections to close"));
    app.addHook("onClose", async () => setStage("closing recording jobs and mail"));

    if (config.adminEmail && config.adminPassword) {
      const { user, created } = await app.ctx.accounts.ensureAdmin({ email: config.adminEmail, password: config.adminPassword });
      if (created) log.info({ email: user.email }, "admin account created from VTP_ADMIN_EMAIL");
    }
    // With PostgreSQL every process may write, so `vtp create-admin` needs no channel.
    if (database.kind === "pglite") {
      const channel = await startAdminChannel({ dataDir: config.dataDir, accounts: app.ctx.accounts, log });
      if (channel) app.addHook("preClose", () => channel.close());
    }

    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await app?.close().catch(() => {});
    await database.close().catch(() => {});
    throw err;
  }
  const addr = app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : config.port;
  const url = `http://${config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host}:${port}`;
  log.info({ url, database: database.kind, mail: app.ctx.mailer.kind, dataDir: config.dataDir }, `VTP is running at ${url}`);

  let stopping: Promise<void> | undefined;
  const running = app;
  // The database closes last, after every onClose hook (recording jobs write their state).
  const stop = () => {
    if (stopping) return stopping;
    setStage("stopping recordings, disconnecting clients, closing media");
    stopping = closeServer(running, connections).finally(() => {
      setStage("closing the database");
      return database.close();
    });
    return stopping;
  };
  return { app: running, url, stop, shutdownStage: () => stage };
}

/** How long clients get to hang up by themselves once the server starts closing. */
const CONNECTION_GRACE_MS = 2_000;

/**
 * Closes the app (recordings, sockets, media, database and its lock). The WebSocket close
 * handshake waits for the client's answer, up to 30 s; a client that is asleep or gone would
 * hold the HTTP server open that long, so connections still open after a short grace are cut.
 */
async function closeServer(app: FastifyInstance, connections: Set<Socket>): Promise<void> {
  const cut = setTimeout(() => {
    if (!connections.size) return;
    app.log.info({ connections: connections.size }, "closing connections that did not hang up");
    for (const socket of connections) socket.destroy();
  }, CONNECTION_GRACE_MS);
  try {
    await app.close();
  } finally {
    clearTimeout(cut);
  }
}

/** How long a graceful shutdown may take before the process exits anyway. */
export const SHUTDOWN_LIMIT_MS = 10_000;

/**
 * SIGTERM/SIGINT: stop recordings (their files are finalized), disconnect clients, close
 * the media, the database and its lock, then exit 0. Something that hangs past
 * SHUTDOWN_LIMIT_MS is logged and the process exits 1; a second signal exits at once.
 */
export function handleSignals(server: RunningServer, log = server.app.log) {
  let shuttingDown = false;
  const onSignal = (signal: string) => {
    if (shuttingDown) {
      log.warn({ signal }, "second signal: exiting without finishing the shutdown");
      process.exit(1);
    }
    shuttingDown = true;
    log.info({ signal }, "shutting down");
    const force = setTimeout(() => {
      log.error({ limitMs: SHUTDOWN_LIMIT_MS, stage: server.shutdownStage() }, "shutdown took too long; exiting");
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS);
    force.unref();
    server.stop().then(
      () => {
        log.info("shut down");
        process.exit(0);
      },
      (err) => {
        log.error({ err }, "error during shutdown");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}

export { openDatabase, migrate };

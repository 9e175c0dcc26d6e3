import type { FastifyInstance } from "fastify";
import { buildApp, createLogger } from "./app.js";
import type { Config } from "./config/index.js";
import { openDatabase, migrate } from "./db/index.js";

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  stop(): Promise<void>;
}

/** Opens and migrates the database, creates the first admin if asked, and listens. */
export async function startServer(config: Config): Promise<RunningServer> {
  const log = createLogger(config);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const applied = await migrate(database);
  if (applied.length) log.info({ applied }, "database migrated");
  const app = await buildApp(config, { database, logger: log });
  app.addHook("onClose", async () => database.close());

  if (config.adminEmail && config.adminPassword) {
    const { user, created } = await app.ctx.accounts.ensureAdmin({ email: config.adminEmail, password: config.adminPassword });
    if (created) log.info({ email: user.email }, "admin account created from VTP_ADMIN_EMAIL");
  }

  await app.listen({ port: config.port, host: config.host });
  const addr = app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : config.port;
  const url = `http://${config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host}:${port}`;
  log.info({ url, database: database.kind, mail: app.ctx.mailer.kind, dataDir: config.dataDir }, `VTP is running at ${url}`);

  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= app.close().then(() => undefined));
  return { app, url, stop };
}

/** SIGTERM/SIGINT: stop accepting, let in-flight requests finish, close the database. */
export function handleSignals(server: RunningServer, log = server.app.log) {
  const onSignal = (signal: string) => {
    log.info({ signal }, "shutting down");
    const force = setTimeout(() => {
      log.error("shutdown took too long; exiting");
      process.exit(1);
    }, 15_000);
    force.unref();
    server.stop().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, "error during shutdown");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
}

export { openDatabase, migrate };

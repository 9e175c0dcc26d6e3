import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "./config/index.js";
import { openDatabase, migrate, DataDirLockedError } from "./db/index.js";
import { AppError } from "./errors/index.js";
import { createAdmin, CommandFailed, lockedMessage } from "./admin-channel/create-admin.js";

const HELP = `vtp — the Video Teaching Platform

Usage:
  vtp start                      start the platform (API, signalling, media, web client)
  vtp media                      run a standalone media node (SFU) for MEDIA_NODES
                                 (MEDIA_SECRET required; MEDIA_PORT, default 4000)
  vtp worker                     run recording processing only (no HTTP); needs ffmpeg
                                 and the shared DATABASE_URL (and S3_BUCKET across machines)
  vtp migrate                    apply database migrations and exit
  vtp create-admin --email E --password P [--name N]
                                 create an admin account (or make an existing one admin);
                                 while \`vtp start\` runs on the same data directory, the
                                 running server does it
  vtp help                       this text

Configuration comes from environment variables; see the README.`;

export async function runCli(argv: string[]): Promise<void> {
  const [command = "help", ...rest] = argv;
  try {
    switch (command) {
      case "start": {
        const config = loadConfig();
        // Loaded here: the other commands do not need the whole application.
        const { handleSignals, startServer } = await import("./main.js");
        const server = await startServer(config);
        handleSignals(server);
        return;
      }
      case "media": {
        const { runMediaNode } = await import("./media/index.js");
        const node = await runMediaNode({ env: process.env, logger: process.env.LOG_LEVEL === "debug" });
        console.log(JSON.stringify({ level: 30, time: Date.now(), msg: `VTP media node listening at ${node.url}` }));
        const stop = () =>
          node.close().then(
            () => process.exit(0),
            () => process.exit(1),
          );
        process.once("SIGTERM", stop);
        process.once("SIGINT", stop);
        return;
      }
      case "worker": {
        const config = loadConfig();
        if (!config.databaseUrl) console.error("Note: without DATABASE_URL this worker uses its own embedded database and sees no other server's jobs.");
        const { runWorker } = await import("./recording/index.js");
        const worker = await runWorker(config);
        const stop = () =>
          worker.stop().then(
            () => process.exit(0),
            () => process.exit(1),
          );
        process.once("SIGTERM", stop);
        process.once("SIGINT", stop);
        return;
      }
      case "migrate": {
        const config = loadConfig();
        const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, owner: "vtp migrate" });
        const applied = await migrate(db);
        await db.close();
        console.log(applied.length ? `Applied: ${applied.join(", ")}` : "Database is up to date.");
        return;
      }
      case "create-admin": {
        const { values } = parseArgs({
          args: rest,
          options: { email: { type: "string" }, password: { type: "string" }, name: { type: "string" } },
          strict: true,
        });
        if (!values.email || !values.password) throw new UsageError("create-admin needs --email and --password");
        const config = loadConfig();
        console.log(await createAdmin(config, { email: values.email, password: values.password, name: values.name }));
        return;
      }
      case "help":
      case "--help":
      case "-h":
        console.log(HELP);
        return;
      default:
        throw new UsageError(`Unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    if (err instanceof UsageError || (err as { code?: unknown } | null)?.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      console.error(`${(err as Error).message}\n\n${HELP}`);
      process.exit(2);
    }
    if (err instanceof DataDirLockedError) {
      const advice = command === "start" ? " Or give this one its own VTP_DATA_DIR; servers that share one database need DATABASE_URL (PostgreSQL)." : "";
      console.error(lockedMessage(err.dataDir, err.holder) + advice);
      process.exit(1);
    }
    if (err instanceof CommandFailed) {
      console.error(err.message);
      process.exit(1);
    }
    if (err instanceof AppError) {
      console.error(`Error: ${err.message} (${err.code})`);
      process.exit(1);
    }
    throw err;
  }
}

class UsageError extends Error {}

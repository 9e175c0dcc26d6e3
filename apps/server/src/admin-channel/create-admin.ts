import type { Config } from "../config/index.js";
import { openDatabase, migrate, DataDirLockedError, lockHolder, type LockHolder } from "../db/index.js";
import pino from "pino";
import { createMailer } from "../mail/index.js";
import { AccountService } from "../auth/service.js";
import { AccessTokens } from "../auth/tokens.js";
import { PasswordHasher } from "../auth/passwords.js";
import { AdminChannelUnavailable, sendAdminRequest } from "./client.js";

/** A command that could not do its work; the CLI prints the message and exits 1. */
export class CommandFailed extends Error {
  name = "CommandFailed";
}

export interface AdminInput {
  email: string;
  password: string;
  name?: string;
}

/** How long to wait for a server that holds the lock but is still starting up. */
const STARTING_SERVER_WAIT_MS = 15_000;

/**
 * `vtp create-admin`: writes directly when this process may open the database (PostgreSQL,
 * or an embedded one nobody holds); otherwise asks the server that owns the data directory
 * through its admin channel. Returns the line to print; throws CommandFailed or AppError.
 */
export async function createAdmin(config: Config, input: AdminInput): Promise<string> {
  const deadline = Date.now() + STARTING_SERVER_WAIT_MS;
  for (;;) {
    try {
      return await createAdminDirectly(config, input);
    } catch (err) {
      if (!(err instanceof DataDirLockedError)) throw err;
      const viaServer = await createAdminThroughServer(config, input, err.holder);
      if (viaServer) return viaServer;
      // Nobody answered: the holder may be a server still starting, or gone by now.
      const holder = lockHolder(config.dataDir);
      if (holder && (holder.command !== "vtp start" || Date.now() > deadline))
        throw new CommandFailed(lockedMessage(config.dataDir, holder, { noChannel: true }));
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

async function createAdminDirectly(config: Config, input: AdminInput): Promise<string> {
  const log = pino({ level: "warn" });
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, owner: "vtp create-admin" });
  try {
    await migrate(database);
    const mailer = createMailer({ smtpUrl: undefined, mailFrom: config.mailFrom, dataDir: config.dataDir, log });
    const accounts = new AccountService(database.db, mailer, new AccessTokens(config.jwtSecret), new PasswordHasher(config.bcryptCost), config.publicUrl);
    const { user, created } = await accounts.ensureAdmin({ email: input.email, password: input.password, fullName: input.name });
    return `${created ? "Created" : "Updated"} admin ${user.email} (${user.id})`;
  } finally {
    await database.close();
  }
}

/** The printed line on success; undefined when no server listens; throws on the server's refusal. */
async function createAdminThroughServer(config: Config, input: AdminInput, holder: LockHolder): Promise<string | undefined> {
  let answer: Awaited<ReturnType<typeof sendAdminRequest>>;
  try {
    answer = await sendAdminRequest(config.dataDir, { command: "create-admin", args: { email: input.email, password: input.password, name: input.name } });
  } catch (err) {
    if (err instanceof AdminChannelUnavailable) return undefined;
    throw new CommandFailed(
      `The running server (pid ${holder.pid}) did not confirm the change: ${(err as Error).message}. Check whether the admin can sign in, and run the command again if not.`,
    );
  }
  if (!answer.ok) throw new CommandFailed(`Error: ${answer.error.message} (${answer.error.code})`);
  const { created, user } = answer.result as { created: boolean; user: { id: string; email: string } };
  return `${created ? "Created" : "Updated"} admin ${user.email} (${user.id}) through the running server (pid ${holder.pid})`;
}

/**
 * What to tell a person whose command finds the data directory in use; `noChannel` when the
 * holding server was asked through its admin channel and did not answer.
 */
export function lockedMessage(dataDir: string, holder: LockHolder, opts: { noChannel?: boolean } = {}): string {
  const who = `\`${holder.command}\` (pid ${holder.pid}, since ${holder.since})`;
  const inUse = `The data directory ${dataDir} is in use by ${who}. Only one process at a time may use an embedded database.`;
  if (holder.command === "vtp start") {
    const stop = `stop it (Ctrl-C in its terminal, or \`kill ${holder.pid}\`)`;
    return opts.noChannel
      ? `${inUse} That server did not answer on its admin channel: ${stop} and run this command again.`
      : `${inUse} To use this directory, ${stop} first.`;
  }
  return `${inUse} Wait for it to finish (or stop it) and run this command again.`;
}

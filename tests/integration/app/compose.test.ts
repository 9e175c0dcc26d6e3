import { createServer } from "node:http";
import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import pino from "pino";
import { compose } from "../../../apps/server/src/compose.js";
import { MemoryMailer, testConfig } from "../../helpers/app.js";

const config = testConfig({ VTP_MEDIA: "off" });
afterAll(() => rmSync(config.dataDir, { recursive: true, force: true }));

describe("compose", () => {
  it("builds every service from the config, and stops them in the declared order, the database it opened last", async () => {
    const httpServer = createServer();
    const { services, shutdown } = await compose(config, { httpServer, log: pino({ level: "silent" }), mailer: new MemoryMailer() });

    // Built once, wired at construction: the rooms of the REST API end classes through the live classroom.
    expect(services.signalling).toBeDefined();
    expect(services.media).toBeUndefined();
    expect(services.recording.service).toBeDefined();
    expect(existsSync(path.join(config.dataDir, "vtp.lock"))).toBe(true);
    expect(await services.database.ping()).toBe(true);
    const { user } = await services.accounts.ensureAdmin({ email: "compose@school.test", password: "compose password 1", fullName: "Compose" });
    const admin = { id: user.id, role: "admin" as const, email: user.email, fullName: user.fullName };
    const room = await services.rooms.create(admin, { title: "Composed" });
    expect((await services.rooms.end(admin, room.id)).status).toBe("ended");

    expect(shutdown.steps.map((s) => `${s.phase}:${s.name}`)).toEqual([
      "live:recordings",
      "live:live streams",
      "live:poll timers",
      "live:quiz timers",
      "live:office conversions",
      "live:media load sampler",
      "live:signalling",
      // After signalling: the breakout groups' last leaves read them, the board's waiting stroke versions are written.
      "live:breakout timers",
      "live:board history",
      "live:media",
      "stores:recording jobs",
      "stores:mail",
      "stores:attendance heartbeat",
      "stores:database",
    ]);
    const ran: string[] = [];
    await shutdown.run("live", (name) => ran.push(name));
    expect(ran).toEqual([
      "recordings",
      "live streams",
      "poll timers",
      "quiz timers",
      "office conversions",
      "media load sampler",
      "signalling",
      "breakout timers",
      "board history",
      "media",
    ]);
    // The stores outlive the live phase: recording jobs still write their state.
    expect(await services.database.ping()).toBe(true);
    await shutdown.run("stores", (name) => ran.push(name));
    expect(ran).toEqual([
      "recordings",
      "live streams",
      "poll timers",
      "quiz timers",
      "office conversions",
      "media load sampler",
      "signalling",
      "breakout timers",
      "board history",
      "media",
      "recording jobs",
      "mail",
      "attendance heartbeat",
      "database",
    ]);
    expect(await services.database.ping().catch(() => false)).toBe(false);
    expect(existsSync(path.join(config.dataDir, "vtp.lock"))).toBe(false);
  });
});

import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RecordingsRepo } from "../../../apps/server/src/recording/repo.js";
import { createTestApp, type TestApp } from "../../helpers/app.js";
import { createRoom, person } from "../rooms/helpers.js";

/**
 * The rows of "Record each group" (migration 016), on PGlite and on PostgreSQL (TEST_DATABASE_URL):
 * the main room keeps one active recording, each breakout group one of its own beside it, and the
 * main room's lookups (indicator, markers, the class's end) never take a group's recording.
 */
let testApp: TestApp;
beforeAll(async () => {
  testApp = await createTestApp({ VTP_MEDIA: "off" });
});
afterAll(async () => {
  await testApp?.close();
});

describe("recordings of breakout groups (rows)", () => {
  it("one active recording of the main room, one per group beside it", async () => {
    const teacher = await person(testApp, "teacher", "Teacher");
    const room = await createRoom(testApp, teacher);
    const db = testApp.app.ctx.db;
    const repo = new RecordingsRepo(db);
    const sessionId = randomUUID();
    const groups = [
      { id: randomUUID(), name: "Red" },
      { id: randomUUID(), name: "Blue" },
    ];
    for (const [position, group] of groups.entries())
      await sql`insert into breakout_groups (id, room_id, session_id, position, name, opened_at)
        values (${group.id}, ${room.id}, ${sessionId}, ${position}, ${group.name}, now())`.execute(db);
    const base = { roomId: room.id, startedBy: teacher.user.id, nodeId: "test" };

    const main = await repo.insert({ ...base, title: "Main" });
    expect(main?.breakout_group_id).toBeNull();
    expect(await repo.insert({ ...base, title: "Main again" })).toBeNull();
    const red = await repo.insert({ ...base, title: "Red", group: groups[0]! });
    const blue = await repo.insert({ ...base, title: "Blue", group: groups[1]! });
    expect(red).toMatchObject({ breakout_group_id: groups[0]!.id, breakout_group_name: "Red", room_id: room.id });
    expect(blue?.breakout_group_name).toBe("Blue");
    expect(await repo.insert({ ...base, title: "Red again", group: groups[0]! })).toBeNull();

    expect((await repo.activeForRoom(room.id))?.id).toBe(main!.id);
    expect((await repo.activeForGroups(groups.map((g) => g.id))).map((r) => r.id).sort()).toEqual([red!.id, blue!.id].sort());
    expect((await repo.list({ roomId: room.id })).length).toBe(3);

    // Stopped, a group may be recorded again (and the main room too).
    expect(await repo.markStopped(red!.id, new Date())).toBe(true);
    expect(await repo.insert({ ...base, title: "Red, later", group: groups[0]! })).not.toBeNull();
    expect(await repo.markStopped(main!.id, new Date())).toBe(true);
    expect(await repo.activeForRoom(room.id)).toBeUndefined();
    expect(await repo.insert({ ...base, title: "Main, later" })).not.toBeNull();
  });
});

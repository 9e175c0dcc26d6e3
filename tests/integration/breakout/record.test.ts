import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClassRecordResponse } from "@vtp/protocol";
import { makeAdmin, type TestApp } from "../../helpers/app.js";
import { waitFor } from "../../helpers/wait.js";
import { createRoom, joined, listeningApp, person, type Person, type TestClient } from "../rooms/helpers.js";

/**
 * What is kept of the groups: the class record counts each student's time in groups, the group
 * chat survives a server restart's worth of storage (read back from the database), and erasing a
 * person empties their group messages and their name in the kept groups; the main room's recording
 * is marked when the groups open and close.
 */
let testApp: TestApp;
let url: string;
let teacher: Person, ann: Person, ben: Person;
const clients: TestClient[] = [];

beforeAll(async () => {
  ({ t: testApp, url } = await listeningApp({ VTP_MEDIA: "off" }));
  teacher = await person(testApp, "teacher", "Teacher");
  ann = await person(testApp, "student", "Ann");
  ben = await person(testApp, "student", "Ben");
});
afterAll(async () => {
  for (const client of clients) client.close();
  await testApp?.close();
});

describe("kept breakout groups", () => {
  it("time in groups reaches the class record; erasing Ann empties her group messages and her name", async () => {
    const room = await createRoom(testApp, teacher);
    const host = (await joined(url, teacher, room.id)).c;
    const annClient = (await joined(url, ann, room.id)).c;
    const benClient = (await joined(url, ben, room.id)).c;
    clients.push(host, annClient, benClient);
    const roomId = room.id;
    // The main room is being recorded (a recording row in progress: the markers' target, without FFmpeg).
    const recordingId = randomUUID();
    await sql`insert into recordings (id, room_id, started_by, title, status) values (${recordingId}, ${roomId}, ${teacher.user.id}, 'Class', 'recording')`.execute(
      testApp.app.ctx.db,
    );
    const opened = await host.emit("breakout-open", {
      roomId,
      mode: "manual",
      groups: [{ name: "Ann's", userIds: [ann.user.id] }, { userIds: [ben.user.id] }],
    });
    expect(opened.ok, JSON.stringify(opened.error)).toBe(true);
    await annClient.waitFor("breakout-moved", (event) => event.groupId !== null);
    await annClient.emit("breakout-chat-send", { roomId, text: "my notes" });
    const openedAt = Date.now();
    // Wait (a condition, not a fixed sleep) until Ann has been in her group for over two seconds.
    await waitFor("two seconds in the group", () => Date.now() - openedAt > 2100);
    await host.emit("breakout-close", { roomId, countdownSeconds: 0 });
    await annClient.waitFor("breakout-moved", (event) => event.groupId === null);

    const markers = async () =>
      (
        await sql<{
          kind: string;
          label: string;
        }>`select kind, label from recording_markers where recording_id = ${recordingId} order by offset_ms, created_at`.execute(testApp.app.ctx.db)
      ).rows;
    await waitFor("the recording's markers", async () => (await markers()).length === 2);
    expect(await markers()).toEqual([
      { kind: "breakout", label: "Groups opened (2)" },
      { kind: "breakout", label: "Groups closed" },
    ]);
    const record = (await testApp.app.inject({ url: `/api/v1/rooms/${roomId}/record`, headers: teacher.auth })).json() as ClassRecordResponse;
    const annRow = record.rows.find((row) => row.name === "Ann")!;
    expect(annRow.groupSeconds).toBeGreaterThanOrEqual(2);
    const csv = (await testApp.app.inject({ url: `/api/v1/rooms/${roomId}/record?format=csv`, headers: teacher.auth })).body;
    expect(csv.split("\n")[0]).toContain("In groups (s)");

    const admin = await makeAdmin(testApp);
    const erased = await testApp.app.inject({ method: "DELETE", url: `/api/v1/admin/users/${ann.user.id}/data`, headers: admin.auth });
    expect(erased.statusCode).toBe(200);
    const kept = (await benClient.emit("breakout-history", { roomId })).groups.find((g) => g.name === "Ann's")!;
    expect(kept.messages).toMatchObject([{ seq: 1, text: "", authorName: "Deleted user", userId: null }]);
    expect(kept.memberNames).toEqual(["Deleted user"]);
    const after = (await testApp.app.inject({ url: `/api/v1/rooms/${roomId}/record`, headers: teacher.auth })).json() as ClassRecordResponse;
    expect(after.rows.map((row) => row.name)).toEqual(["Ben"]);
  }, 60_000);
});

import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RecordingBoardResponse } from "@vtp/protocol";
import type { TestApp } from "../../helpers/app.js";
import type { Services } from "../../../apps/server/src/compose.js";
import { createRoom, joined, listeningApp, person, type Person, type TestClient } from "../rooms/helpers.js";
import { boardService, stroke } from "./helpers.js";

/**
 * The board in a recording's replay (`GET /api/v1/recordings/:id/board`): the board as it was
 * when the recording started (what was drawn and cleared before), then every board action of the
 * recording's span at its offset, nothing after it stopped; the same access as the recording's
 * chat. Also the export's door: every page of a surface.
 */
let testApp: TestApp;
let url: string;
let teacher: Person, ann: Person, outsider: Person;
const clients: TestClient[] = [];

beforeAll(async () => {
  ({ t: testApp, url } = await listeningApp({ VTP_MEDIA: "off" }));
  teacher = await person(testApp, "teacher", "Teacher");
  ann = await person(testApp, "student", "Ann");
  outsider = await person(testApp, "student", "Olga");
});
afterAll(async () => {
  for (const client of clients) client.close();
  await testApp?.close();
});

const db = () => (testApp.app.ctx as Services).db;

describe("the board in the recording's replay", () => {
  it("starts from the board at the recording's start and replays the span's actions in order with offsets; same access as the chat", async () => {
    const roomId = (await createRoom(testApp, teacher)).id;
    const host = (await joined(url, teacher, roomId)).c;
    const annClient = (await joined(url, ann, roomId)).c;
    clients.push(host, annClient);
    const draw = (id: string, page = 1) => host.emit("board-draw", { roomId, surfaceId: "whiteboard", page, elements: [stroke(id, 4)] });

    // Before the recording: a stroke that is cleared, one that stays, and the stage.
    await draw("gone");
    await host.emit("board-clear", { roomId, surfaceId: "whiteboard", page: 1 });
    await draw("kept");
    await host.emit("board-present", { roomId, surfaceId: "whiteboard" });

    const recordingId = (
      await sql<{ id: string }>`insert into recordings (room_id, started_by, status, visibility, started_at)
        values (${roomId}, ${teacher.user.id}, 'ready', 'participants', clock_timestamp()) returning id`.execute(db())
    ).rows[0]!.id;
    await host.emit("board-add-page", { roomId });
    await host.emit("board-turn", { roomId, page: 2 });
    await draw("during", 2);
    await host.emit("board-pointer", { roomId, surfaceId: "whiteboard", page: 2, x: 3, y: 4 });
    await host.emit("board-clear", { roomId, surfaceId: "whiteboard", page: 1 });
    await sql`update recordings set stopped_at = clock_timestamp() where id = ${recordingId}`.execute(db());
    await draw("after");

    const res = await testApp.app.inject({ url: `/api/v1/recordings/${recordingId}/board`, headers: teacher.auth });
    expect(res.statusCode, res.body).toBe(200);
    const replay = res.json() as RecordingBoardResponse;
    expect(replay.stage).toMatchObject({ roomId, surfaceId: "whiteboard", page: 1, whiteboardPages: 1 });
    expect(replay.pages.map((page) => [page.surfaceId, page.page, page.elements.map((element) => element.id)])).toEqual([["whiteboard", 1, ["kept"]]]);
    expect(replay.ops.map((op) => op.kind)).toEqual(["settings", "turn", "draw", "pointer", "clear"]);
    expect(replay.ops[2]?.payload).toMatchObject({ surfaceId: "whiteboard", page: 2, authorId: teacher.user.id });
    const offsets = replay.ops.map((op) => op.offsetMs);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(offsets.every((offset) => offset >= 0)).toBe(true);
    expect(JSON.stringify(replay)).not.toContain('"after"');

    // An attendee of a "participants" recording sees it; someone who was not there does not (404, like the chat).
    expect((await testApp.app.inject({ url: `/api/v1/recordings/${recordingId}/board`, headers: ann.auth })).statusCode).toBe(200);
    expect((await testApp.app.inject({ url: `/api/v1/recordings/${recordingId}/board`, headers: outsider.auth })).statusCode).toBe(404);
    expect((await testApp.app.inject({ url: `/api/v1/recordings/${recordingId}/chat`, headers: outsider.auth })).statusCode).toBe(404);
    expect((await testApp.app.inject({ url: `/api/v1/recordings/${recordingId}/board` })).statusCode).toBe(401);

    // The export's door: every page of the whiteboard, live elements only.
    const pages = await boardService(testApp).pageElementsOfSurface(roomId, "whiteboard");
    expect([...pages.entries()].map(([page, elements]) => [page, elements.map((element) => element.id).sort()]).sort()).toEqual([
      [1, ["after"]],
      [2, ["during"]],
    ]);
  });
});

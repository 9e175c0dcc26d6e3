import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RecordingBoardResponse } from "@vtp/protocol";
import type { TestApp } from "../../helpers/app.js";
import type { Services } from "../../../apps/server/src/compose.js";
import { makePdf, upload } from "../materials/helpers.js";
import { createRoom, joined, listeningApp, person, type Person, type TestClient } from "../rooms/helpers.js";

/**
 * The slides in a recording's replay: whoever may watch the recording — an attendee, a share
 * link's viewer — gets the documents the board showed
 * during it (titles in the replay, the PDF's bytes from the recording's own route), and nothing
 * else of the class's materials: not a document the recording never showed, not for someone
 * who may not watch it.
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
const get = (path: string, who?: Person) => testApp.app.inject({ url: path, headers: who?.auth ?? {} });

describe("the documents a recording's board showed", () => {
  it("are listed in the replay and readable by the recording's viewers only", async () => {
    const roomId = (await createRoom(testApp, teacher)).id;
    const host = (await joined(url, teacher, roomId)).c;
    const annClient = (await joined(url, ann, roomId)).c;
    clients.push(host, annClient);
    const shownPdf = await makePdf(2);
    const shownUpload = await upload(testApp, teacher, roomId, shownPdf, "application/pdf", "cells.pdf", "?title=Cells");
    expect(shownUpload.statusCode, shownUpload.body).toBe(201);
    const shown = shownUpload.json().material.id as string;
    const otherUpload = await upload(testApp, teacher, roomId, await makePdf(1), "application/pdf", "answers.pdf", "?title=Answers");
    const other = otherUpload.json().material.id as string;
    const stored = (await get(`/api/v1/rooms/${roomId}/materials/${shown}/file`, teacher)).rawPayload;

    const recordingId = (
      await sql<{ id: string }>`insert into recordings (room_id, started_by, status, visibility, started_at)
        values (${roomId}, ${teacher.user.id}, 'ready', 'participants', clock_timestamp()) returning id`.execute(db())
    ).rows[0]!.id;
    expect((await host.emit("board-present", { roomId, surfaceId: shown, page: 1 })).ok).toBe(true);
    expect((await host.emit("board-turn", { roomId, page: 2 })).ok).toBe(true);
    await sql`update recordings set stopped_at = clock_timestamp() where id = ${recordingId}`.execute(db());
    // Shown after the recording stopped: not part of it.
    expect((await host.emit("board-present", { roomId, surfaceId: other, page: 1 })).ok).toBe(true);

    const replay = (await get(`/api/v1/recordings/${recordingId}/board`, teacher)).json() as RecordingBoardResponse;
    expect(replay.materials).toEqual([{ id: shown, title: "Cells", pages: 2 }]);

    const file = (id: string) => `/api/v1/recordings/${recordingId}/board/materials/${id}/file`;
    for (const viewer of [teacher, ann]) {
      const res = await get(file(shown), viewer);
      expect(res.statusCode, res.body.slice(0, 200)).toBe(200);
      expect(res.headers["content-type"]).toBe("application/pdf");
      expect(res.rawPayload.equals(stored)).toBe(true);
      expect((await get(file(other), viewer)).statusCode).toBe(404);
    }
    expect((await get(file(shown), outsider)).statusCode).toBe(404);
    expect((await get(file(shown))).statusCode).toBe(401);

    // A share link's viewer (no account) reads the same document, and only while the link stands.
    const share = await testApp.app.inject({ method: "POST", url: `/api/v1/recordings/${recordingId}/share`, headers: teacher.auth, payload: {} });
    expect(share.statusCode, share.body).toBe(201);
    const token = String(share.json().token ?? share.json().url.split("/").pop());
    const sharedFile = (id: string) => `/api/v1/shared/recordings/${token}/board/materials/${id}/file`;
    const sharedReplay = (await get(`/api/v1/shared/recordings/${token}/board`)).json() as RecordingBoardResponse;
    expect(sharedReplay.materials.map((material) => material.id)).toEqual([shown]);
    expect((await get(sharedFile(shown))).rawPayload.equals(stored)).toBe(true);
    expect((await get(sharedFile(other))).statusCode).toBe(404);
    await testApp.app.inject({ method: "DELETE", url: `/api/v1/recordings/${recordingId}/share`, headers: teacher.auth });
    expect((await get(sharedFile(shown))).statusCode).toBe(404);
  });
});

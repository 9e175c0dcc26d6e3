import { afterAll, describe, expect, it } from "vitest";
import { openDatabase, migrate } from "../../../apps/server/src/db/index.js";
import { createPgDatabase } from "../../helpers/db.js";
import { createRoom, joined, listeningApp, person, type TestClient } from "../rooms/helpers.js";
import { stroke } from "./helpers.js";
import { PG } from "../signalling/cluster.js";

/**
 * A server restart loses nothing acknowledged: the teacher draws, the app is stopped and a new
 * one starts on the same PostgreSQL database; the stage and the page are as they were, and the
 * sequence goes on from where it was.
 */
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

describe("the board across a server restart", () => {
  it("every acknowledged stroke and the stage are read back from the database by the next server", async () => {
    const created = await createPgDatabase(PG);
    cleanups.push(created.drop);
    const open = async () => {
      const handle = await openDatabase({ databaseUrl: created.url, dataDir: "" });
      await migrate(handle);
      return handle;
    };
    const first = await listeningApp({ VTP_MEDIA: "off" }, { database: await open() });
    const teacher = await person(first.t, "teacher", "Teacher");
    const student = await person(first.t, "student", "Sam");
    const roomId = (await createRoom(first.t, teacher)).id;
    const host = (await joined(first.url, teacher, roomId)).c;
    await host.emit("board-present", { roomId, surfaceId: "whiteboard" });
    await host.emit("board-add-page", { roomId });
    await host.emit("board-turn", { roomId, page: 2 });
    let lastSeq = 0;
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const ack = await host.emit("board-draw", { roomId, surfaceId: "whiteboard", page: 2, elements: [stroke(`r${i}`, 5 + i)] });
      expect(ack.accepted).toBe(1);
      lastSeq = ack.seq;
      ids.push(`r${i}`);
    }
    host.close();
    await first.t.close();

    const second = await listeningApp({ VTP_MEDIA: "off" }, { database: await open() });
    cleanups.push(() => second.t.close());
    const sam: TestClient = (await joined(second.url, student, roomId)).c;
    cleanups.push(async () => sam.close());
    const state = await sam.emit("board-state", { roomId });
    expect(state.stage).toMatchObject({ surfaceId: "whiteboard", page: 2, whiteboardPages: 2, seq: lastSeq });
    const page = await sam.emit("board-page", { roomId, surfaceId: "whiteboard", page: 2 });
    expect(page.seq).toBe(lastSeq);
    expect(page.elements.map((element) => element.id).sort()).toEqual([...ids].sort());
    expect(page.elements.find((element) => element.id === "r11")?.points).toHaveLength(16);

    // The sequence continues.
    const teacherAgain = (await joined(second.url, teacher, roomId)).c;
    cleanups.push(async () => teacherAgain.close());
    const next = await teacherAgain.emit("board-draw", { roomId, surfaceId: "whiteboard", page: 2, elements: [stroke("after", 3)] });
    expect(next.seq).toBe(lastSeq + 1);
    expect((await sam.waitFor("board-elements", (event) => event.seq === next.seq)).elements[0]?.id).toBe("after");
  });
});

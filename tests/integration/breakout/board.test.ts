import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BreakoutStateDto } from "@vtp/protocol";
import type { TestApp } from "../../helpers/app.js";
import { stroke } from "../board/helpers.js";
import { makePdf, upload } from "../materials/helpers.js";
import { backends, createRoom, joined, listeningApp, person, type Person, type TestClient } from "../rooms/helpers.js";

/**
 * Each breakout group's own board (issue 16), on each live-state backend: a member's stroke
 * reaches their group and nobody else (not the other group, not the class board), a student of
 * another group is refused, the board starts on the document the teacher picked for the group,
 * and after the groups close the kept board is read by the host and shown to the whole class.
 */
describe.each(backends())("a group's board (%s)", (_backend, env) => {
  let testApp: TestApp;
  let url: string;
  let teacher: Person;
  let students: Person[];
  const clients: TestClient[] = [];

  beforeAll(async () => {
    ({ t: testApp, url } = await listeningApp({ VTP_MEDIA: "off", ...env }));
    teacher = await person(testApp, "teacher", "Teacher");
    students = await Promise.all(["Ann", "Ben", "Cem", "Dee"].map((name) => person(testApp, "student", name)));
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await testApp?.close();
  });

  it("a member's stroke reaches their group only; others are refused; the picked document; kept and shown after closing", async () => {
    const roomId = (await createRoom(testApp, teacher)).id;
    const host = (await joined(url, teacher, roomId)).c;
    const kids: TestClient[] = [];
    for (const student of students) kids.push((await joined(url, student, roomId)).c);
    clients.push(host, ...kids);
    const uploaded = await upload(testApp, teacher, roomId, await makePdf(3), "application/pdf", "worksheet.pdf", "?title=Worksheet");
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    const worksheet = uploaded.json().material.id as string;
    const [ann, ben, cem, dee] = students.map((s) => s.user.id) as [string, string, string, string];

    // A material not of this class is refused before anything opens.
    const other = (await createRoom(testApp, teacher)).id;
    const foreign = (await upload(testApp, teacher, other, await makePdf(1), "application/pdf", "x.pdf", "?title=X")).json().material.id as string;
    const refused = await host.emit("breakout-open", { roomId, mode: "manual", groups: [{ userIds: [ann], materialId: foreign }, { userIds: [cem] }] });
    expect(refused.error?.code).toBe("MATERIAL_NOT_FOUND");

    const opened = await host.emit("breakout-open", {
      roomId,
      mode: "manual",
      groups: [
        { name: "Red", userIds: [ann, ben], materialId: worksheet },
        { name: "Blue", userIds: [cem, dee] },
      ],
    });
    expect(opened.ok, JSON.stringify(opened.error)).toBe(true);
    const state = opened.state as BreakoutStateDto;
    const [red, blue] = state.groups as [BreakoutStateDto["groups"][0], BreakoutStateDto["groups"][0]];
    for (const kid of kids) await kid.waitFor("breakout-moved", (event) => event.groupId !== null);

    // Red's board starts on the worksheet (its 3 pages), Blue's is a whiteboard of its own.
    const redPage = await kids[0]!.emit("breakout-board-page", { roomId, groupId: red.id, page: 2 });
    expect(redPage.ok, JSON.stringify(redPage.error)).toBe(true);
    expect(redPage.board).toMatchObject({ groupId: red.id, groupName: "Red", surfaceId: worksheet, pages: 3 });
    expect(redPage.elements).toEqual([]);
    const bluePage = await kids[2]!.emit("breakout-board-page", { roomId, groupId: blue.id, page: 1 });
    expect(bluePage.board).toMatchObject({ surfaceId: "whiteboard", pages: 1 });
    expect((await kids[2]!.emit("breakout-board-page", { roomId, groupId: blue.id, page: 2 })).error?.code).toBe("BOARD_PAGE_OUT_OF_RANGE");

    // Ann draws on page 2 of Red's worksheet: Ben gets it; Blue, the host elsewhere and the class board do not.
    const drawn = await kids[0]!.emit("breakout-board-draw", { roomId, groupId: red.id, page: 2, elements: [stroke("ann-1", 12)] });
    expect(drawn).toMatchObject({ ok: true, accepted: 1, seq: 1 });
    const reached = await kids[1]!.waitFor("breakout-board-elements", (event) => event.groupId === red.id);
    expect(reached).toMatchObject({ roomId, page: 2, seq: 1, authorId: ann });
    expect(reached.elements[0]).toMatchObject({ id: "ann-1", customData: { authorId: ann, authorName: "Ann" } });
    // An older version of the same stroke loses (last-writer-wins) and is sent to nobody.
    expect(await kids[1]!.emit("breakout-board-draw", { roomId, groupId: red.id, page: 2, elements: [stroke("ann-1", 5)] })).toMatchObject({ accepted: 0 });
    const classBoard = await host.emit("board-page", { roomId, surfaceId: worksheet, page: 2 });
    expect(classBoard.elements).toEqual([]);

    // Cem (Blue) may neither read nor draw on Red's board; a student cannot show boards.
    expect((await kids[2]!.emit("breakout-board-page", { roomId, groupId: red.id, page: 1 })).error?.code).toBe("NOT_IN_THIS_GROUP");
    expect((await kids[2]!.emit("breakout-board-draw", { roomId, groupId: red.id, page: 1, elements: [stroke("cem-1", 3)] })).error?.code).toBe(
      "NOT_IN_THIS_GROUP",
    );
    expect((await kids[2]!.emit("breakout-board-show", { roomId, groupId: red.id })).error?.code).toBe("NOT_ALLOWED_TO_MANAGE_BREAKOUTS");
    // Blue draws on its own board: Dee sees it, Red does not.
    await kids[2]!.emit("breakout-board-draw", { roomId, groupId: blue.id, page: 1, elements: [stroke("cem-2", 4, { color: "#1971c2" })] });
    await kids[3]!.waitFor("breakout-board-elements", (event) => event.groupId === blue.id);
    expect(kids[0]!.has("breakout-board-elements")).toBe(false);
    expect(kids[1]!.has("breakout-board-elements", (event) => event.groupId === blue.id)).toBe(false);
    expect(kids[3]!.has("breakout-board-elements", (event) => event.groupId === red.id)).toBe(false);
    expect(host.has("breakout-board-elements")).toBe(false);
    for (const kid of kids) expect(kid.has("board-elements")).toBe(false);
    // The host reads any group's board without visiting; a group of no class is not found.
    expect((await host.emit("breakout-board-page", { roomId, groupId: red.id, page: 2 })).elements.map((e) => e.id)).toEqual(["ann-1"]);
    expect((await host.emit("breakout-board-page", { roomId, groupId: other, page: 1 })).error?.code).toBe("BREAKOUT_GROUP_NOT_FOUND");

    // Closing: everyone back; Ann no longer draws on Red's board (it is kept as it was).
    await host.emit("breakout-close", { roomId, countdownSeconds: 0 });
    await kids[0]!.waitFor("breakout-moved", (event) => event.groupId === null);
    expect((await kids[0]!.emit("breakout-board-draw", { roomId, groupId: red.id, page: 2, elements: [stroke("ann-2", 3)] })).error?.code).toBe(
      "NOT_IN_THIS_GROUP",
    );
    expect((await kids[0]!.emit("breakout-board-page", { roomId, groupId: red.id, page: 2 })).error?.code).toBe("NOT_IN_THIS_GROUP");
    expect((await host.emit("breakout-board-draw", { roomId, groupId: red.id, page: 2, elements: [stroke("t-1", 3)] })).error?.code).toBe("BREAKOUT_NOT_OPEN");

    // The host shows Red's kept board (page 2 of the worksheet) to the whole class, Blue's students too.
    const shown = await host.emit("breakout-board-show", { roomId, groupId: red.id, page: 2 });
    expect(shown.ok, JSON.stringify(shown.error)).toBe(true);
    for (const kid of kids) {
      const event = await kid.waitFor("breakout-board-shown", (e) => e.board.groupId === red.id);
      expect(event).toMatchObject({ roomId, page: 2, board: { groupName: "Red", surfaceId: worksheet, pages: 3 } });
      expect(event.elements.map((e) => e.id)).toEqual(["ann-1"]);
      expect(event.elements[0]!.points).toHaveLength(12);
    }
  }, 60_000);
});

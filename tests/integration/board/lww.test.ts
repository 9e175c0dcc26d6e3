import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BoardElement } from "@vtp/protocol";
import type { TestApp } from "../../helpers/app.js";
import { createRoom, joined, listeningApp, person, type Person, type TestClient } from "../rooms/helpers.js";
import { applyLww, storedElements, stroke } from "./helpers.js";

/**
 * Conflicting edits of one element from two students at the same moment: every receiver that
 * applies the contract's rule (version, then the smaller versionNonce) ends with the same
 * element, and it is the one the database keeps.
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

describe("last-writer-wins per element", () => {
  it("two concurrent edits of the same element end the same on both students, the teacher and in the database", async () => {
    const room = await createRoom(testApp, teacher);
    const roomId = room.id;
    const host = (await joined(url, teacher, roomId)).c;
    const annClient = (await joined(url, ann, roomId)).c;
    const benClient = (await joined(url, ben, roomId)).c;
    clients.push(host, annClient, benClient);
    await host.emit("board-settings", { roomId, drawPolicy: "everyone" });

    // Each round: Ann's and Ben's edits of element `id`, sent at once. Equal versions: the smaller nonce wins; else the higher version.
    const rounds: { id: string; annEdit: BoardElement; benEdit: BoardElement; winner: "ann" | "ben" }[] = [
      {
        id: "same-version",
        annEdit: stroke("same-version", 8, { version: 5, nonce: 300, color: "#aa0000" }),
        benEdit: stroke("same-version", 9, { version: 5, nonce: 200, color: "#0000bb" }),
        winner: "ben",
      },
      {
        id: "ann-newer",
        annEdit: stroke("ann-newer", 8, { version: 7, nonce: 900, color: "#aa0000" }),
        benEdit: stroke("ann-newer", 9, { version: 6, nonce: 1, color: "#0000bb" }),
        winner: "ann",
      },
      {
        id: "reverse",
        annEdit: stroke("reverse", 8, { version: 3, nonce: 10, color: "#aa0000" }),
        benEdit: stroke("reverse", 9, { version: 3, nonce: 11, color: "#0000bb" }),
        winner: "ann",
      },
    ];
    const scenes = { host: new Map<string, BoardElement>(), ann: new Map<string, BoardElement>(), ben: new Map<string, BoardElement>() };
    for (const round of rounds) {
      // Each author applies their own edit locally first (as Excalidraw does), then sends it.
      applyLww(scenes.ann, [round.annEdit]);
      applyLww(scenes.ben, [round.benEdit]);
      const [annAck, benAck] = await Promise.all([
        annClient.emit("board-draw", { roomId, surfaceId: "whiteboard", page: 1, elements: [round.annEdit] }),
        benClient.emit("board-draw", { roomId, surfaceId: "whiteboard", page: 1, elements: [round.benEdit] }),
      ]);
      expect(annAck.ok && benAck.ok, JSON.stringify([annAck.error, benAck.error])).toBe(true);
      // The winner's edit was always accepted; the loser's only if it came first.
      expect((round.winner === "ann" ? annAck : benAck).accepted).toBe(1);
      const accepted = [annAck.accepted ? annAck.seq : undefined, benAck.accepted ? benAck.seq : undefined].filter((seq) => seq !== undefined);
      // Everyone receives every accepted change but their own.
      for (const [name, client, own] of [
        ["host", host, undefined],
        ["ann", annClient, annAck.accepted ? annAck.seq : undefined],
        ["ben", benClient, benAck.accepted ? benAck.seq : undefined],
      ] as const) {
        for (const seq of accepted) {
          if (seq === own) continue;
          const event = await client.waitFor("board-elements", (received) => received.seq === seq);
          applyLww(scenes[name], event.elements);
        }
      }
    }

    const rows = await storedElements(testApp, roomId);
    expect(rows).toHaveLength(rounds.length);
    for (const round of rounds) {
      const expected = round.winner === "ann" ? round.annEdit : round.benEdit;
      const row = rows.find((stored) => stored.element_id === round.id)!;
      expect([Number(row.version), Number(row.version_nonce), row.element.strokeColor], round.id).toEqual([
        expected.version,
        expected.versionNonce,
        expected.strokeColor,
      ]);
      for (const [name, scene] of Object.entries(scenes)) {
        const seen = scene.get(round.id);
        expect([seen?.version, seen?.versionNonce, seen?.strokeColor], `${round.id} at ${name}`).toEqual([
          expected.version,
          expected.versionNonce,
          expected.strokeColor,
        ]);
      }
    }
    // What a late joiner reads is the same.
    const page = await host.emit("board-page", { roomId, surfaceId: "whiteboard", page: 1 });
    expect(page.elements.map((element) => [element.id, element.version, element.versionNonce]).sort()).toEqual(
      rounds
        .map((round) => {
          const expected = round.winner === "ann" ? round.annEdit : round.benEdit;
          return [round.id, expected.version, expected.versionNonce];
        })
        .sort(),
    );
  });
});

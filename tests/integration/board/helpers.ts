import { sql } from "kysely";
import type { BoardElement } from "@vtp/protocol";
import type { TestApp } from "../../helpers/app.js";
import type { Services } from "../../../apps/server/src/compose.js";
import type { BoardService } from "../../../apps/server/src/board/index.js";

/** The running app's board service (what the export and the replay call). */
export function boardService(testApp: TestApp): BoardService {
  return (testApp.app.ctx as Services).board;
}

/** An Excalidraw freedraw stroke as a browser sends it while drawing: `points` grow, `version` goes up. */
export function stroke(id: string, points: number, opts: { version?: number; nonce?: number; color?: string; deleted?: boolean } = {}): BoardElement {
  const pts: [number, number][] = Array.from({ length: points }, (_unused, i) => [i * 2, Math.round(Math.sin(i / 5) * 20)]);
  return {
    id,
    type: "freedraw",
    version: opts.version ?? points,
    versionNonce: opts.nonce ?? 1000 + points,
    isDeleted: opts.deleted ?? false,
    x: 100,
    y: 120,
    width: points * 2,
    height: 40,
    angle: 0,
    strokeColor: opts.color ?? "#e03131",
    backgroundColor: "transparent",
    fillStyle: "solid",
    strokeWidth: 2,
    strokeStyle: "solid",
    roughness: 1,
    opacity: 100,
    seed: 42,
    index: "a0",
    groupIds: [],
    frameId: null,
    roundness: null,
    boundElements: null,
    updated: 1,
    link: null,
    locked: false,
    points: pts,
    pressures: [],
    simulatePressure: true,
    // A client's own customData is replaced by the server.
    customData: { authorId: "someone-else", authorName: "Forged" },
  };
}

/** The stored elements of a page, as rows. */
export async function storedElements(testApp: TestApp, roomId: string, surfaceId = "whiteboard", page = 1) {
  const result = await sql<{ element_id: string; version: string; version_nonce: string; element: BoardElement }>`
    select element_id, version, version_nonce, element from board_elements
    where room_id = ${roomId} and surface_id = ${surfaceId} and page = ${page} order by element_id`.execute((testApp.app.ctx as Services).db);
  return result.rows;
}

export async function opsOf(testApp: TestApp, roomId: string) {
  const result = await sql<{ seq: string; kind: string; payload: Record<string, unknown> }>`
    select seq, kind, payload from board_ops where room_id = ${roomId} order by seq, id`.execute((testApp.app.ctx as Services).db);
  return result.rows.map((row) => ({ seq: Number(row.seq), kind: row.kind, payload: row.payload }));
}

/** A material of the class as the materials' table holds it (the upload itself is the materials' concern). */
export async function addMaterial(testApp: TestApp, roomId: string, pages: number): Promise<string> {
  const result = await sql<{ id: string }>`
    insert into class_materials (room_id, title, file_name, source_type, pages, size_bytes, storage_key)
    values (${roomId}, 'Slides', 'slides.pdf', 'pdf', ${pages}, 1000, ${`materials/${roomId}/x.pdf`}) returning id`.execute((testApp.app.ctx as Services).db);
  return result.rows[0]!.id;
}

export async function deleteMaterialRow(testApp: TestApp, materialId: string): Promise<void> {
  await sql`delete from class_materials where id = ${materialId}`.execute((testApp.app.ctx as Services).db);
}

/** Applies elements with the contract's rule (as a browser does) to a scene. */
export function applyLww(scene: Map<string, BoardElement>, elements: BoardElement[]): void {
  for (const element of elements) {
    const current = scene.get(element.id);
    if (!current || element.version > current.version || (element.version === current.version && element.versionNonce < current.versionNonce)) {
      scene.set(element.id, element);
    }
  }
}

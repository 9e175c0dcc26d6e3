import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { PDFDocument } from "pdf-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../helpers/app.js";
import { createRoom, joined, listeningApp, person, type Person, type TestClient } from "../rooms/helpers.js";
import { DOCX_TYPE, makeEncryptedPdf, makePdf, makeScriptedPdf, PDF_TYPE, rasterize, upload } from "./helpers.js";

/**
 * Class materials over REST as the host and the students of one class see them: upload, list,
 * download, delete (with the live events), every refusal of a bad or hostile file (and that
 * nothing is kept after one), who may do what, and the files going with a deleted class.
 */
const MAX_PAGES = 5;
const MAX_BYTES = 300_000;
let testApp: TestApp;
let url: string;
let host: Person, student: Person, outsider: Person, otherTeacher: Person;
const clients: TestClient[] = [];

beforeAll(async () => {
  ({ t: testApp, url } = await listeningApp({ VTP_MEDIA: "off", MATERIALS_MAX_PAGES: String(MAX_PAGES), MATERIALS_MAX_BYTES: String(MAX_BYTES) }));
  host = await person(testApp, "teacher", "Host");
  student = await person(testApp, "student", "Student");
  outsider = await person(testApp, "student", "Outsider");
  otherTeacher = await person(testApp, "teacher", "Other Teacher");
});
afterAll(async () => {
  for (const client of clients) client.close();
  await testApp?.close();
});

async function liveClass() {
  const room = await createRoom(testApp, host);
  const hostClient = (await joined(url, host, room.id)).c;
  const studentClient = (await joined(url, student, room.id)).c;
  clients.push(hostClient, studentClient);
  return { roomId: room.id, hostClient, studentClient };
}

const get = (who: Person | undefined, route: string) => testApp.app.inject({ method: "GET", url: `/api/v1/rooms${route}`, headers: who?.auth ?? {} });
const del = (who: Person | undefined, route: string) => testApp.app.inject({ method: "DELETE", url: `/api/v1/rooms${route}`, headers: who?.auth ?? {} });
const storedFile = (roomId: string, materialId: string) => path.join(testApp.dataDir, "materials", "materials", roomId, `${materialId}.pdf`);

describe("class materials", () => {
  it("the host uploads a PDF; the class hears of it, lists it and downloads the same bytes; the host deletes it and its file", async () => {
    const { roomId, studentClient } = await liveClass();
    const pdf = await makePdf(3);
    const added = studentClient.waitFor("material-added", (event) => event.roomId === roomId);
    const res = await upload(testApp, host, roomId, pdf, PDF_TYPE, "Week 1 – cells.pdf", "?title=Week%201");
    expect(res.statusCode, res.body).toBe(201);
    const material = res.json().material;
    expect(material).toMatchObject({ roomId, title: "Week 1", fileName: "Week 1 – cells.pdf", sourceType: "pdf", pages: 3, uploadedBy: host.user.id });
    expect((await added).material).toEqual(material);

    const list = await get(student, `/${roomId}/materials`);
    expect(list.statusCode).toBe(200);
    expect(list.json().materials).toEqual([material]);

    const file = await get(student, `/${roomId}/materials/${material.id}/file`);
    expect(file.statusCode).toBe(200);
    expect(file.headers["content-type"]).toBe("application/pdf");
    const stored = await readFile(storedFile(roomId, material.id));
    expect(file.rawPayload.equals(stored)).toBe(true);
    expect(material.sizeBytes).toBe(stored.length);
    expect((await PDFDocument.load(file.rawPayload)).getPageCount()).toBe(3);

    const removed = studentClient.waitFor("material-removed", (event) => event.roomId === roomId);
    expect((await del(host, `/${roomId}/materials/${material.id}`)).statusCode).toBe(204);
    expect((await removed).materialId).toBe(material.id);
    expect((await get(student, `/${roomId}/materials`)).json().materials).toEqual([]);
    const gone = await get(student, `/${roomId}/materials/${material.id}/file`);
    expect([gone.statusCode, gone.json().error.code]).toEqual([404, "MATERIAL_NOT_FOUND"]);
    expect(existsSync(storedFile(roomId, material.id))).toBe(false);
    const again = await del(host, `/${roomId}/materials/${material.id}`);
    expect([again.statusCode, again.json().error.code]).toEqual([404, "MATERIAL_NOT_FOUND"]);
  });

  it("refuses every bad or hostile file with a clear error, and keeps nothing of it", async () => {
    const room = await createRoom(testApp, host);
    const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 1)]);
    const cases: [string, Buffer | string, string, number, string, RegExp?][] = [
      ["plain text", "hello", "text/plain", 415, "UNSUPPORTED_MATERIAL_TYPE"],
      ["JSON", JSON.stringify({ pdf: true }), "application/json", 415, "UNSUPPORTED_MATERIAL_TYPE"],
      ["a PNG", Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"), "image/png", 415, "UNSUPPORTED_MATERIAL_TYPE"],
      ["raw bytes", Buffer.alloc(10, 7), "application/octet-stream", 415, "UNSUPPORTED_MATERIAL_TYPE"],
      ["a zip declared as PDF", zip, PDF_TYPE, 422, "MATERIAL_INVALID", /not a PDF/],
      ["a PDF declared as docx", await makePdf(1), DOCX_TYPE, 422, "MATERIAL_INVALID", /not a docx/],
      ["a PDF header over garbage", Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.alloc(5000, 0x41)]), PDF_TYPE, 422, "MATERIAL_INVALID"],
      ["an empty body", Buffer.alloc(0), PDF_TYPE, 422, "MATERIAL_INVALID"],
      [
        `${MAX_PAGES + 1} pages`,
        await makePdf(MAX_PAGES + 1),
        PDF_TYPE,
        422,
        "MATERIAL_TOO_MANY_PAGES",
        new RegExp(`${MAX_PAGES + 1} pages; at most ${MAX_PAGES}`),
      ],
      ["an encrypted PDF", await makeEncryptedPdf(), PDF_TYPE, 422, "MATERIAL_INVALID", /encrypted/],
      ["too many bytes", Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.alloc(MAX_BYTES, 0x20)]), PDF_TYPE, 413, "MATERIAL_TOO_LARGE"],
    ];
    for (const [name, body, type, status, code, message] of cases) {
      const res = await upload(testApp, host, room.id, body, type);
      expect([name, res.statusCode, res.json().error?.code], res.body).toEqual([name, status, code]);
      if (message) expect(res.json().error.message, name).toMatch(message);
    }
    const badName = await testApp.app.inject({
      method: "POST",
      url: `/api/v1/rooms/${room.id}/materials`,
      headers: { ...host.auth, "content-type": PDF_TYPE, "x-file-name": "%E0%A4%A" },
      payload: await makePdf(1),
    });
    expect([badName.statusCode, badName.json().error.code]).toEqual([400, "VALIDATION_FAILED"]);
    const badTitle = await upload(testApp, host, room.id, await makePdf(1), PDF_TYPE, "a.pdf", `?title=${"x".repeat(201)}`);
    expect(badTitle.statusCode).toBe(400);
    expect((await get(host, `/${room.id}/materials`)).json().materials).toEqual([]);
    expect(existsSync(path.join(testApp.dataDir, "materials", "materials", room.id))).toBe(false);
  });

  it("stores a PDF with JavaScript inside without any of it, and the stored PDF still opens and renders", async () => {
    const room = await createRoom(testApp, host);
    const hostile = await makeScriptedPdf();
    expect(hostile.includes("/JavaScript")).toBe(true);
    const res = await upload(testApp, host, room.id, hostile, PDF_TYPE, "scripted.pdf");
    expect(res.statusCode, res.body).toBe(201);
    const file = await get(host, `/${room.id}/materials/${res.json().material.id}/file`);
    const text = file.rawPayload.toString("latin1");
    for (const action of ["/JavaScript", "/JS", "/OpenAction", "/AA", "app.alert", "launchURL"]) expect(text, action).not.toContain(action);
    expect((await PDFDocument.load(file.rawPayload)).getPageCount()).toBe(1);
    const page = await rasterize(file.rawPayload);
    expect([page.width, page.height]).toEqual([612, 792]);
  });

  it("lets the host manage and the class's people see; refuses everyone else", async () => {
    const { roomId } = await liveClass();
    const created = await upload(testApp, host, roomId, await makePdf(1), PDF_TYPE);
    const materialId = created.json().material.id;
    const routes = [`/${roomId}/materials`, `/${roomId}/materials/${materialId}/file`, `/${roomId}/materials/${materialId}/annotated.pdf`];
    for (const route of routes) {
      expect((await get(host, route)).statusCode, route).toBe(200);
      expect((await get(student, route)).statusCode, route).toBe(200);
      expect((await get(outsider, route)).json().error.code, route).toBe("FORBIDDEN");
      expect((await get(otherTeacher, route)).json().error.code, route).toBe("FORBIDDEN");
      expect((await get(undefined, route)).statusCode, route).toBe(401);
    }
    for (const who of [student, outsider, otherTeacher]) {
      const refused = await upload(testApp, who, roomId, await makePdf(1), PDF_TYPE);
      expect([refused.statusCode, refused.json().error.code]).toEqual([403, "FORBIDDEN"]);
      expect((await del(who, `/${roomId}/materials/${materialId}`)).statusCode).toBe(403);
    }
    expect((await upload(testApp, undefined, roomId, await makePdf(1), PDF_TYPE)).statusCode).toBe(401);
    // A refused upload is refused before its body is read: even one over the size limit says 403.
    const big = await upload(testApp, student, roomId, Buffer.alloc(MAX_BYTES + 10, 0x20), PDF_TYPE);
    expect(big.statusCode).toBe(403);
    const unknown = await get(student, `/${roomId}/materials/00000000-0000-4000-8000-000000000000/file`);
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, "MATERIAL_NOT_FOUND"]);
    const noRoom = await get(host, `/00000000-0000-4000-8000-000000000000/materials`);
    expect(noRoom.statusCode).toBe(404);
    expect((await get(host, `/not-a-uuid/materials`)).statusCode).toBe(400);
    expect((await get(host, `/${roomId}/materials`)).json().materials).toHaveLength(1);
  });

  it("a student the host removed from the class no longer sees its materials", async () => {
    const room = await createRoom(testApp, host);
    const hostClient = (await joined(url, host, room.id)).c;
    const session = await joined(url, outsider, room.id);
    clients.push(hostClient, session.c);
    expect((await upload(testApp, host, room.id, await makePdf(1), PDF_TYPE)).statusCode).toBe(201);
    expect((await get(outsider, `/${room.id}/materials`)).statusCode).toBe(200);
    expect((await hostClient.emit("remove-participant", { participantId: session.ack.participantId })).ok).toBe(true);
    const refused = await get(outsider, `/${room.id}/materials`);
    expect([refused.statusCode, refused.json().error.code]).toEqual([403, "FORBIDDEN"]);
  });

  it("deleting the class deletes its materials' rows and files", async () => {
    const room = await createRoom(testApp, host);
    const created = await upload(testApp, host, room.id, await makePdf(2), PDF_TYPE);
    const materialId = created.json().material.id;
    expect(existsSync(storedFile(room.id, materialId))).toBe(true);
    const res = await testApp.app.inject({ method: "DELETE", url: `/api/v1/rooms/${room.id}`, headers: host.auth });
    expect(res.statusCode).toBeLessThan(300);
    expect(existsSync(storedFile(room.id, materialId))).toBe(false);
    const rows = await testApp.app.ctx.db.selectFrom("class_materials").select("id").where("room_id", "=", room.id).execute();
    expect(rows).toEqual([]);
  });
});

describe("office documents without LibreOffice", () => {
  it("answers 415 with how to enable them (SOFFICE_PATH=off), and still takes PDFs", async () => {
    const app = await createTestApp({ VTP_MEDIA: "off", SOFFICE_PATH: "off" });
    try {
      const teacher = await person(app, "teacher", "Teacher");
      const room = await createRoom(app, teacher);
      const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100)]);
      const res = await upload(app, teacher, room.id, zip, DOCX_TYPE, "notes.docx");
      expect([res.statusCode, res.json().error.code]).toEqual([415, "UNSUPPORTED_MATERIAL_TYPE"]);
      expect(res.json().error.message).toContain("install LibreOffice (soffice) on the server to convert office documents");
      expect((await upload(app, teacher, room.id, await makePdf(1), PDF_TYPE)).statusCode).toBe(201);
    } finally {
      await app.close();
    }
  });
});

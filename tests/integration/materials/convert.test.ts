import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../../../apps/server/src/compose.js";
import { createTestApp, type TestApp } from "../../helpers/app.js";
import { createRoom, person, type Person } from "../rooms/helpers.js";
import { DOCX_TYPE, makePdf, ODP_TYPE, PDF_TYPE, PPTX_TYPE, upload } from "./helpers.js";

const run = promisify(execFile);

/**
 * Office documents become PDFs through LibreOffice. The real one converts a docx and a pptx that
 * LibreOffice itself made (CI installs it; this test does not skip without it). A stand-in
 * `soffice` script shows how it is run: an argument array with a generated input name in a
 * fresh temporary folder (removed afterwards), killed with its children after the timeout,
 * one conversion at a time.
 */
let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "vtp-convert-test-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Has LibreOffice make an office file from `input` (for the test's own documents). */
async function sofficeMakes(input: string, target: string, infilter?: string): Promise<Buffer> {
  const out = path.join(work, `made-${target}`);
  const args = [`-env:UserInstallation=file://${path.join(work, "profile")}`, "--headless"];
  if (infilter) args.push(`--infilter=${infilter}`);
  await run("soffice", [...args, "--convert-to", target, "--outdir", out, input], { timeout: 170_000 });
  return readFile(path.join(out, `${path.basename(input, path.extname(input))}.${target}`));
}

describe("office documents with LibreOffice", () => {
  let testApp: TestApp;
  let teacher: Person;
  beforeAll(async () => {
    testApp = await createTestApp({ VTP_MEDIA: "off" });
    teacher = await person(testApp, "teacher", "Teacher");
  });
  afterAll(async () => testApp?.close());

  it("finds soffice on PATH", () => {
    expect(
      testApp.config.materials.sofficePath,
      "LibreOffice (soffice) must be installed: CI installs libreoffice-writer-nogui and -impress-nogui",
    ).toBeTruthy();
  });

  it("converts a docx and a pptx to PDF pages with their text", async () => {
    const text = path.join(work, "notes.txt");
    await writeFile(text, "Photosynthesis notes\nLight makes sugar.\n");
    const docx = await sofficeMakes(text, "docx");
    const slides = path.join(work, "slides.pdf");
    await writeFile(slides, await makePdf(2));
    const pptx = await sofficeMakes(slides, "pptx", "impress_pdf_import");

    const room = await createRoom(testApp, teacher);
    const fromDocx = await upload(testApp, teacher, room.id, docx, DOCX_TYPE, "notes.docx");
    expect(fromDocx.statusCode, fromDocx.body).toBe(201);
    expect(fromDocx.json().material).toMatchObject({ sourceType: "docx", fileName: "notes.docx", title: "notes", pages: 1 });
    const fromPptx = await upload(testApp, teacher, room.id, pptx, PPTX_TYPE, "slides.pptx");
    expect(fromPptx.statusCode, fromPptx.body).toBe(201);
    expect(fromPptx.json().material).toMatchObject({ sourceType: "pptx", pages: 2 });

    for (const [material, expected] of [
      [fromDocx.json().material, "Photosynthesis notes"],
      [fromPptx.json().material, "Page 2"],
    ] as const) {
      const file = await testApp.app.inject({ method: "GET", url: `/api/v1/rooms/${room.id}/materials/${material.id}/file`, headers: teacher.auth });
      expect(file.rawPayload.subarray(0, 5).toString()).toBe("%PDF-");
      const pdfPath = path.join(work, `${material.id}.pdf`);
      await writeFile(pdfPath, file.rawPayload);
      const { stdout } = await run("pdftotext", [pdfPath, "-"]);
      expect(stdout).toContain(expected);
    }
  });

  it("refuses a zip that is no office document (CONVERSION_FAILED), an office type with PDF bytes (MATERIAL_INVALID)", async () => {
    const room = await createRoom(testApp, teacher);
    const junkZip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(300, 0x11)]);
    const res = await upload(testApp, teacher, room.id, junkZip, ODP_TYPE, "talk.odp");
    expect([res.statusCode, res.json().error.code], res.body).toEqual([422, "CONVERSION_FAILED"]);
    const pdfAsPptx = await upload(testApp, teacher, room.id, await makePdf(1), PPTX_TYPE, "x.pptx");
    expect([pdfAsPptx.statusCode, pdfAsPptx.json().error.code]).toEqual([422, "MATERIAL_INVALID"]);
  });
});

describe("how soffice is run (a stand-in script)", () => {
  let testApp: TestApp;
  let teacher: Person;
  let fake: string;
  beforeAll(async () => {
    fake = path.join(work, "fake");
    await run("mkdir", ["-p", fake]);
    await writeFile(path.join(fake, "fixture.pdf"), await makePdf(1));
    await writeFile(path.join(fake, "mode"), "ok");
    const script = `#!/bin/sh
dir="${fake}"
echo "start $$" >> "$dir/log"
for arg in "$@"; do echo "$arg"; done > "$dir/argv"
out=""; prev=""; input=""
for arg in "$@"; do if [ "$prev" = "--outdir" ]; then out="$arg"; fi; prev="$arg"; input="$arg"; done
case "$(cat "$dir/mode")" in
  hang) sleep 120 ;;
  fail) echo "boom" >&2; exit 1 ;;
  *) sleep 0.2; mkdir -p "$out"; name=$(basename "$input"); cp "$dir/fixture.pdf" "$out/\${name%.*}.pdf" ;;
esac
echo "end $$" >> "$dir/log"
`;
    await writeFile(path.join(fake, "soffice"), script);
    await chmod(path.join(fake, "soffice"), 0o755);
    testApp = await createTestApp({ VTP_MEDIA: "off", SOFFICE_PATH: path.join(fake, "soffice"), MATERIALS_CONVERT_TIMEOUT_S: "2" });
    teacher = await person(testApp, "teacher", "Teacher");
  });
  afterAll(async () => testApp?.close());

  const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100)]);
  const argv = async () => (await readFile(path.join(fake, "argv"), "utf8")).trim().split("\n");

  it("passes arguments as an array: a generated input name, a throwaway profile, headless, and removes the folder", async () => {
    const room = await createRoom(testApp, teacher);
    // What a shell would run; the name only ever reaches the database (folders cut off: "../" is gone).
    const hostile = "../$(touch pwned); rm -rf ~ ;.docx";
    const res = await upload(testApp, teacher, room.id, zip, DOCX_TYPE, hostile);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().material.fileName).toBe("$(touch pwned); rm -rf ~ ;.docx");
    const args = await argv();
    const input = args[args.length - 1] ?? "";
    expect(path.basename(input)).toMatch(/^[0-9a-f-]{36}\.docx$/);
    expect(args).toContain("--headless");
    expect(args.slice(args.indexOf("--convert-to"), args.indexOf("--convert-to") + 2)).toEqual(["--convert-to", "pdf"]);
    const profile = args.find((arg) => arg.startsWith("-env:UserInstallation=file:///"));
    expect(profile).toBeTruthy();
    expect(profile).toContain(path.dirname(input));
    expect(existsSync(path.dirname(input))).toBe(false);
    expect(existsSync("pwned")).toBe(false);
  });

  it("kills a conversion that runs past MATERIALS_CONVERT_TIMEOUT_S (422 CONVERSION_FAILED) and removes its folder", async () => {
    const room = await createRoom(testApp, teacher);
    await writeFile(path.join(fake, "mode"), "hang");
    await rm(path.join(fake, "log"), { force: true });
    const res = await upload(testApp, teacher, room.id, zip, PPTX_TYPE, "long.pptx");
    expect([res.statusCode, res.json().error.code]).toEqual([422, "CONVERSION_FAILED"]);
    expect(res.json().error.message).toMatch(/longer than 2 s/);
    const pid = Number((await readFile(path.join(fake, "log"), "utf8")).split(" ")[1]);
    expect(() => process.kill(pid, 0)).toThrow();
    const args = await argv();
    expect(existsSync(path.dirname(args[args.length - 1] ?? "/nonexistent/x"))).toBe(false);

    await writeFile(path.join(fake, "mode"), "fail");
    const failed = await upload(testApp, teacher, room.id, zip, PPTX_TYPE, "bad.pptx");
    expect([failed.statusCode, failed.json().error.code]).toEqual([422, "CONVERSION_FAILED"]);
    const list = await testApp.app.inject({ method: "GET", url: `/api/v1/rooms/${room.id}/materials`, headers: teacher.auth });
    expect(list.json().materials).toEqual([]);
  });

  it("runs one conversion at a time, however many uploads arrive together", async () => {
    const room = await createRoom(testApp, teacher);
    await writeFile(path.join(fake, "mode"), "ok");
    await rm(path.join(fake, "log"), { force: true });
    const results = await Promise.all([1, 2, 3, 4].map((i) => upload(testApp, teacher, room.id, zip, ODP_TYPE, `talk-${i}.odp`)));
    expect(results.map((res) => res.statusCode)).toEqual([201, 201, 201, 201]);
    const steps = (await readFile(path.join(fake, "log"), "utf8"))
      .trim()
      .split("\n")
      .map((line) => line.split(" ")[0]);
    expect(steps).toEqual(["start", "end", "start", "end", "start", "end", "start", "end"]);
    expect((await upload(testApp, teacher, room.id, await makePdf(1), PDF_TYPE)).statusCode).toBe(201);
  });

  it("at shutdown, a running conversion is killed and no new one starts", async () => {
    const room = await createRoom(testApp, teacher);
    await writeFile(path.join(fake, "mode"), "hang");
    await rm(path.join(fake, "log"), { force: true });
    const pending = upload(testApp, teacher, room.id, zip, DOCX_TYPE, "late.docx");
    while (!existsSync(path.join(fake, "log"))) await new Promise((resolve) => setTimeout(resolve, 20));
    (testApp.app.ctx as Services).materials.stop();
    const res = await pending;
    expect([res.statusCode, res.json().error.code]).toEqual([422, "CONVERSION_FAILED"]);
    const pid = Number((await readFile(path.join(fake, "log"), "utf8")).split(" ")[1]);
    expect(() => process.kill(pid, 0)).toThrow();
    const after = await upload(testApp, teacher, room.id, zip, DOCX_TYPE, "later.docx");
    expect([after.statusCode, after.json().error.code]).toEqual([422, "CONVERSION_FAILED"]);
    expect(after.json().error.message).toMatch(/stopping/);
  });
});

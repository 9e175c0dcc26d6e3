import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRef, type PDFObject } from "pdf-lib";
import { MATERIAL_FILE_NAME_MAX, type MaterialSourceType } from "@vtp/protocol";
import { AppError } from "../errors/index.js";

const PDF_MAGIC = Buffer.from("%PDF-");
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
/** Readers accept the header anywhere in the first KB (some producers put junk before it). */
const PDF_HEADER_WINDOW = 1024;

/** The bytes are what their declared type says: a PDF's `%PDF-` header, an office file's zip signature. */
export function checkMagic(bytes: Buffer, type: MaterialSourceType): void {
  if (type === "pdf") {
    const at = bytes.subarray(0, PDF_HEADER_WINDOW).indexOf(PDF_MAGIC);
    if (at < 0) throw new AppError("MATERIAL_INVALID", "This file is not a PDF (it does not start with %PDF-)");
    return;
  }
  if (bytes.length < ZIP_MAGIC.length || !bytes.subarray(0, ZIP_MAGIC.length).equals(ZIP_MAGIC))
    throw new AppError("MATERIAL_INVALID", `This file is not a ${type} document (it is not a zip package)`);
}

/** A checked PDF: its page count and the sanitized bytes to store. */
export interface CheckedPdf {
  pages: number;
  bytes: Buffer;
}

/**
 * Loads the PDF (pdf-lib), refuses encrypted, unreadable and too long documents, and rebuilds it
 * without anything that runs: the pages are copied into a new document, which leaves behind the
 * catalog's /OpenAction, /AA, /Names (document JavaScript), forms and embedded files; page and
 * annotation /AA and JavaScript / Launch actions are removed before the copy, and any /JS left
 * anywhere is cut after it.
 */
export async function checkPdf(bytes: Uint8Array, maxPages: number): Promise<CheckedPdf> {
  let source: PDFDocument;
  try {
    // Loaded even when encrypted, to say so (pdf-lib's EncryptedPDFError is not an instanceof-able class).
    source = await PDFDocument.load(bytes, { updateMetadata: false, throwOnInvalidObject: false, ignoreEncryption: true });
  } catch {
    throw new AppError("MATERIAL_INVALID", "This file is not a readable PDF");
  }
  if (source.isEncrypted) throw new AppError("MATERIAL_INVALID", "This PDF is encrypted (password protected); save it without a password and upload it again");
  let pages: number;
  try {
    pages = source.getPageCount();
  } catch {
    throw new AppError("MATERIAL_INVALID", "This PDF's page tree is not readable");
  }
  if (pages < 1) throw new AppError("MATERIAL_INVALID", "This PDF has no pages");
  if (pages > maxPages) throw new AppError("MATERIAL_TOO_MANY_PAGES", `This document has ${pages} pages; at most ${maxPages} are allowed`);
  try {
    for (const page of source.getPages()) stripActions(page.node, new Set());
    const clean = await PDFDocument.create({ updateMetadata: false });
    const copied = await clean.copyPages(source, source.getPageIndices());
    for (const page of copied) clean.addPage(page);
    for (const [, object] of clean.context.enumerateIndirectObjects()) stripActions(object, new Set());
    // No object streams: the stored file can be checked for what it contains byte by byte.
    const out = Buffer.from(await clean.save({ useObjectStreams: false }));
    return { pages, bytes: out };
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError("MATERIAL_INVALID", "This PDF's pages could not be read");
  }
}

const RUNNABLE = new Set(["JavaScript", "Launch", "ImportData", "SubmitForm", "ResetForm", "Rendition", "Sound", "Movie"]);

/** Removes additional actions (/AA), runnable actions (/A, /Next) and /JS from a dict and what it holds directly. */
function stripActions(object: PDFObject | undefined, seen: Set<PDFObject>): void {
  if (!object || seen.has(object)) return;
  seen.add(object);
  if (object instanceof PDFArray) {
    for (let i = 0; i < object.size(); i++) stripActions(object.get(i), seen);
    return;
  }
  if (!(object instanceof PDFDict)) return;
  for (const key of ["AA", "JS", "OpenAction"]) object.delete(PDFName.of(key));
  for (const key of ["A", "Next"]) {
    const action = object.get(PDFName.of(key));
    const resolved = action instanceof PDFRef ? object.context.lookup(action) : action;
    if (resolved instanceof PDFDict && RUNNABLE.has(resolved.get(PDFName.of("S"))?.toString().slice(1) ?? "")) object.delete(PDFName.of(key));
    else if (resolved instanceof PDFArray) object.delete(PDFName.of(key));
  }
  // Annotations of a page (links, widgets) hold their own actions.
  const annots = object.get(PDFName.of("Annots"));
  const list = annots instanceof PDFRef ? object.context.lookup(annots) : annots;
  if (list instanceof PDFArray) {
    for (let i = 0; i < list.size(); i++) {
      const entry = list.get(i);
      stripActions(entry instanceof PDFRef ? object.context.lookup(entry) : entry, seen);
    }
  }
  for (const [, value] of object.entries()) if (value instanceof PDFDict || value instanceof PDFArray) stripActions(value, seen);
}

/** The `X-File-Name` header (URI-encoded) as a plain file name: no folders, no control characters. */
export function fileNameOf(header: string | string[] | undefined, type: MaterialSourceType): string {
  const raw = Array.isArray(header) ? header[0] : header;
  let name = "";
  if (raw) {
    try {
      name = decodeURIComponent(raw);
    } catch {
      throw new AppError("VALIDATION_FAILED", "X-File-Name must be URI-encoded (encodeURIComponent)", [
        { field: "X-File-Name", problem: "must be URI-encoded" },
      ]);
    }
  }
  name = (name.split(/[\\/]/).pop() ?? "")
    .replace(/[\p{Cc}\p{Cf}]/gu, "")
    .trim()
    .slice(0, MATERIAL_FILE_NAME_MAX);
  return name || `document.${type}`;
}

/** The default title: the file name without its extension. */
export function titleOf(fileName: string): string {
  const dot = fileName.lastIndexOf(".");
  return (dot > 0 ? fileName.slice(0, dot) : fileName).trim().slice(0, 200) || "Document";
}

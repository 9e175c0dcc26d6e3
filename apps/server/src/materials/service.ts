import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import type { Logger } from "pino";
import type { MaterialDto, MaterialSourceType } from "@vtp/protocol";
import { AppError } from "../errors/index.js";
import type { Broadcaster } from "../signalling/index.js";
import { StorageNotFound, type Storage } from "../storage/index.js";
import { NO_SOFFICE_MESSAGE, type OfficeConverter } from "./convert.js";
import { annotatePdf, type BoardDrawings } from "./export.js";
import type { MaterialRow, MaterialsRepo } from "./repo.js";
import type { MaterialsSettings } from "./settings.js";
import { checkMagic, checkPdf, titleOf } from "./validate.js";

/** What an upload brings: the raw bytes, what the Content-Type says they are, and the names. */
export interface Upload {
  bytes: Buffer;
  sourceType: MaterialSourceType;
  fileName: string;
  title?: string;
}

export const materialNotFound = () => new AppError("MATERIAL_NOT_FOUND", "This material does not exist in this class");

/** The stored PDF of a material: under its class, so that the class's files go with it. */
export const materialKey = (roomId: string, materialId: string) => `materials/${roomId}/${materialId}.pdf`;
const roomPrefix = (roomId: string) => `materials/${roomId}/`;

/**
 * Materials of a class: checked (magic bytes, pdf-lib, page limit), converted (office → PDF),
 * sanitized, stored (Storage: local disk or S3) and announced to the class
 * (`material-added` / `material-removed`). Who may do what is decided by the routes.
 */
export class MaterialService {
  constructor(
    private readonly deps: {
      repo: MaterialsRepo;
      storage: Storage;
      converter: OfficeConverter;
      settings: MaterialsSettings;
      out: Broadcaster;
      log: Logger;
      /** The board's drawings (the board capability wires its own; none until then). */
      drawings: () => BoardDrawings;
    },
  ) {}

  /** Whether office documents can be converted here (LibreOffice found). */
  get converts(): boolean {
    return this.deps.converter.available;
  }

  /** The server is stopping: a running LibreOffice is killed, no new conversion starts. */
  stop(): void {
    this.deps.converter.stop();
  }

  async list(roomId: string): Promise<MaterialDto[]> {
    return (await this.deps.repo.ofRoom(roomId)).map(toMaterialDto);
  }

  async get(roomId: string, materialId: string): Promise<MaterialDto> {
    return toMaterialDto(await this.row(roomId, materialId));
  }

  async add(roomId: string, userId: string, upload: Upload): Promise<MaterialDto> {
    const { settings } = this.deps;
    if (upload.bytes.length > settings.maxBytes) throw tooLarge(settings.maxBytes);
    if (upload.bytes.length === 0) throw new AppError("MATERIAL_INVALID", "The file is empty");
    if (upload.sourceType !== "pdf" && !this.deps.converter.available) throw new AppError("UNSUPPORTED_MATERIAL_TYPE", NO_SOFFICE_MESSAGE);
    checkMagic(upload.bytes, upload.sourceType);
    const pdf = upload.sourceType === "pdf" ? upload.bytes : await this.deps.converter.toPdf(upload.bytes, upload.sourceType);
    if (upload.sourceType !== "pdf") checkMagic(pdf, "pdf");
    const checked = await checkPdf(pdf, settings.maxPages);
    if (checked.bytes.length > settings.maxBytes) throw tooLarge(settings.maxBytes);

    const id = randomUUID();
    const key = materialKey(roomId, id);
    await this.deps.storage.put(key, checked.bytes, { contentType: "application/pdf" });
    let row: MaterialRow;
    try {
      row = await this.deps.repo.insert({
        id,
        room_id: roomId,
        title: upload.title ?? titleOf(upload.fileName),
        file_name: upload.fileName,
        source_type: upload.sourceType,
        pages: checked.pages,
        size_bytes: checked.bytes.length,
        storage_key: key,
        uploaded_by: userId,
      });
    } catch (err) {
      // The class was deleted meanwhile (foreign key), or the database failed: no orphan file.
      await this.deps.storage.deletePrefix(key).catch(() => undefined);
      throw err;
    }
    const material = toMaterialDto(row);
    this.deps.out.toRoom(roomId, "material-added", { roomId, material });
    return material;
  }

  /** The stored PDF, streamed. */
  async file(roomId: string, materialId: string): Promise<{ material: MaterialDto; stream: Readable }> {
    const row = await this.row(roomId, materialId);
    return { material: toMaterialDto(row), stream: await this.open(row) };
  }

  /** The PDF with the class's drawings on its pages. */
  async annotated(roomId: string, materialId: string): Promise<{ material: MaterialDto; bytes: Buffer }> {
    const row = await this.row(roomId, materialId);
    const stream = await this.open(row);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const pages = await this.deps.drawings().pageElementsOfSurface(roomId, materialId);
    return { material: toMaterialDto(row), bytes: await annotatePdf(Buffer.concat(chunks), pages) };
  }

  async remove(roomId: string, materialId: string): Promise<void> {
    const row = await this.deps.repo.delete(roomId, materialId);
    if (!row) throw materialNotFound();
    await this.deps.storage
      .deletePrefix(row.storage_key)
      .catch((err) => this.deps.log.warn({ err, key: row.storage_key }, "could not delete a material's file"));
    this.deps.out.toRoom(roomId, "material-removed", { roomId, materialId });
  }

  /** After a class is deleted (its rows went with it): its stored files. Failures are logged. */
  async classDeleted(roomId: string): Promise<void> {
    try {
      await this.deps.storage.deletePrefix(roomPrefix(roomId));
    } catch (err) {
      this.deps.log.warn({ err, roomId }, "could not delete a deleted class's material files");
    }
  }

  private async row(roomId: string, materialId: string): Promise<MaterialRow> {
    const row = await this.deps.repo.byId(roomId, materialId);
    if (!row) throw materialNotFound();
    return row;
  }

  private async open(row: MaterialRow): Promise<Readable> {
    try {
      return await this.deps.storage.get(row.storage_key);
    } catch (err) {
      if (err instanceof StorageNotFound) {
        this.deps.log.error({ key: row.storage_key, materialId: row.id }, "a material's stored file is missing");
        throw new AppError("MATERIAL_NOT_FOUND", "This material's file is missing on the server");
      }
      throw err;
    }
  }
}

export function tooLarge(maxBytes: number): AppError {
  const megabytes = maxBytes / (1024 * 1024);
  const limit = megabytes >= 1 ? `${Number(megabytes.toFixed(1))} MB` : `${maxBytes} bytes`;
  return new AppError("MATERIAL_TOO_LARGE", `The file is larger than ${limit}, the most this server takes`);
}

export function toMaterialDto(row: MaterialRow): MaterialDto {
  return {
    id: row.id,
    roomId: row.room_id,
    title: row.title,
    fileName: row.file_name,
    sourceType: row.source_type,
    pages: row.pages,
    sizeBytes: Number(row.size_bytes),
    uploadedBy: row.uploaded_by,
    createdAt: row.created_at.toISOString(),
  };
}

import { Type, type Static } from "@sinclair/typebox";
import { Text, Uuid } from "./input.js";

/**
 * Class materials (issue 12, the class board): PDFs — or office documents the server converts
 * to PDF with LibreOffice — that belong to a class across its sessions. The board shows them
 * page by page (surfaceId = the material's id) and students download them with the class's
 * drawings (`annotated.pdf`).
 */

export const MATERIAL_SOURCE_TYPES = ["pdf", "pptx", "odp", "docx"] as const;
export const MaterialSourceType = Type.Union([Type.Literal("pdf"), Type.Literal("pptx"), Type.Literal("odp"), Type.Literal("docx")]);
export type MaterialSourceType = Static<typeof MaterialSourceType>;

/** The upload's Content-Type → what it is. Anything else: 415 UNSUPPORTED_MATERIAL_TYPE. */
export const MATERIAL_CONTENT_TYPES: Readonly<Record<string, MaterialSourceType>> = {
  "application/pdf": "pdf",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
  "application/vnd.oasis.opendocument.presentation": "odp",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
};

export const MATERIAL_TITLE_MAX = 200;
export const MATERIAL_FILE_NAME_MAX = 255;

export const MaterialDto = Type.Object({
  id: Type.String(),
  roomId: Type.String(),
  title: Type.String(),
  fileName: Type.String(),
  sourceType: MaterialSourceType,
  pages: Type.Integer({ minimum: 1 }),
  /** Size of the stored PDF (after conversion and sanitizing). */
  sizeBytes: Type.Integer({ minimum: 0 }),
  uploadedBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: "date-time" }),
});
export type MaterialDto = Static<typeof MaterialDto>;

/** `GET /api/v1/rooms/:id/materials`, oldest first. */
export const MaterialListResponse = Type.Object({ materials: Type.Array(MaterialDto) });
export type MaterialListResponse = Static<typeof MaterialListResponse>;

/** `POST /api/v1/rooms/:id/materials` → 201. */
export const MaterialResult = Type.Object({ material: MaterialDto });
export type MaterialResult = Static<typeof MaterialResult>;

/** `?title=` of the upload (default: the file name without its extension). */
export const MaterialUploadQuery = Type.Object(
  { title: Type.Optional(Text({ minLength: 1, maxLength: MATERIAL_TITLE_MAX })) },
  { additionalProperties: false },
);
export type MaterialUploadQuery = Static<typeof MaterialUploadQuery>;

export const RoomMaterialParams = Type.Object({ id: Uuid(), materialId: Uuid() });
export type RoomMaterialParams = Static<typeof RoomMaterialParams>;

export const MaterialServerEventSchemas = {
  /** To the class: the host uploaded a material. */
  "material-added": Type.Object({ roomId: Type.String(), material: MaterialDto }),
  /** To the class: the host deleted a material (and its drawings). */
  "material-removed": Type.Object({ roomId: Type.String(), materialId: Type.String() }),
};

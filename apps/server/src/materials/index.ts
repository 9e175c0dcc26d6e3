import path from "node:path";
import type { Readable } from "node:stream";
import type { Logger } from "pino";
import type { DB } from "../db/index.js";
import { AppError } from "../errors/index.js";
import type { RoomService } from "../rooms/index.js";
import type { SignallingServer } from "../signalling/index.js";
import { LocalStorage, S3Storage, type Storage, type StorageSettings } from "../storage/index.js";
import { SofficeConverter } from "./convert.js";
import { NO_DRAWINGS, type BoardDrawings } from "./export.js";
import { MaterialsRepo } from "./repo.js";
import { MaterialService } from "./service.js";
import type { MaterialsSettings } from "./settings.js";

export { MaterialService, materialKey, toMaterialDto } from "./service.js";
export { materialRoutes, sendPdf } from "./routes.js";
export type { MaterialTables } from "./tables.js";
export type { BoardDrawings, BoardElementLike } from "./export.js";
export { readMaterialsSettings, type MaterialsSettings } from "./settings.js";

/** Where the materials' PDFs are stored: S3 when configured, else `<dataDir>/materials`. */
function materialStorage(settings: StorageSettings, dataDir: string): Storage {
  return settings.s3 ? new S3Storage(settings.s3) : new LocalStorage(path.join(dataDir, "materials"));
}

/**
 * The stored PDF of a class's material, read only: what a processing-only worker (`vtp worker`)
 * needs to draw a shown document into the composed video. Unknown material: undefined.
 */
export function materialFiles(deps: { db: DB; storage: StorageSettings; dataDir: string }): {
  file(roomId: string, materialId: string): Promise<{ stream: Readable }>;
} {
  const repo = new MaterialsRepo(deps.db);
  const storage = materialStorage(deps.storage, deps.dataDir);
  return {
    async file(roomId, materialId) {
      const row = await repo.byId(roomId, materialId);
      if (!row) throw new AppError("MATERIAL_NOT_FOUND");
      return { stream: await storage.get(row.storage_key) };
    },
  };
}

/**
 * Class materials: the service over its repo, the Storage (S3 when configured, else
 * `<dataDir>/materials`), LibreOffice for office documents and signalling's Broadcaster for
 * `material-added` / `material-removed`. A deleted class's stored files go with it.
 * `drawings` is the board's port for the annotated export (none: no drawings).
 */
export function createMaterials(deps: {
  db: DB;
  settings: MaterialsSettings;
  storage: StorageSettings;
  dataDir: string;
  signalling: SignallingServer;
  rooms: RoomService;
  log: Logger;
  drawings?: () => BoardDrawings | undefined;
}): MaterialService {
  const log = deps.log.child({ module: "materials" });
  const storage = materialStorage(deps.storage, deps.dataDir);
  const service = new MaterialService({
    repo: new MaterialsRepo(deps.db),
    storage,
    converter: new SofficeConverter(deps.settings.sofficePath, deps.settings.convertTimeoutSeconds * 1000, log),
    settings: deps.settings,
    out: deps.signalling.out,
    log,
    drawings: () => deps.drawings?.() ?? NO_DRAWINGS,
  });
  deps.rooms.onDeleted((roomId) => service.classDeleted(roomId));
  return service;
}

import path from "node:path";
import type { Logger } from "pino";
import type { DB } from "../db/index.js";
import type { RoomService } from "../rooms/index.js";
import type { SignallingServer } from "../signalling/index.js";
import { LocalStorage, S3Storage, type Storage, type StorageSettings } from "../storage/index.js";
import { SofficeConverter } from "./convert.js";
import { NO_DRAWINGS, type BoardDrawings } from "./export.js";
import { MaterialsRepo } from "./repo.js";
import { MaterialService } from "./service.js";
import type { MaterialsSettings } from "./settings.js";

export { MaterialService, materialKey, toMaterialDto } from "./service.js";
export { materialRoutes } from "./routes.js";
export type { MaterialTables } from "./tables.js";
export type { BoardDrawings, BoardElementLike } from "./export.js";
export { readMaterialsSettings, type MaterialsSettings } from "./settings.js";

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
  const storage: Storage = deps.storage.s3 ? new S3Storage(deps.storage.s3) : new LocalStorage(path.join(deps.dataDir, "materials"));
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

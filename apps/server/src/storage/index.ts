import path from "node:path";
import { LocalStorage } from "./LocalStorage.js";
import { S3Storage } from "./S3Storage.js";
import type { StorageSettings } from "./settings.js";
import type { Storage } from "./Storage.js";

export * from "./Storage.js";
export { LocalStorage } from "./LocalStorage.js";
export { S3Storage, type S3StorageOptions } from "./S3Storage.js";
export { readStorageSettings, storageSettingsFromEnv, type StorageSettings } from "./settings.js";

/** S3-compatible storage when configured, otherwise local disk under `<dataDir>/recordings`. */
export function createStorage(settings: StorageSettings, dataDir: string): Storage {
  if (settings.s3) return new S3Storage(settings.s3);
  return new LocalStorage(path.join(dataDir, "recordings"));
}

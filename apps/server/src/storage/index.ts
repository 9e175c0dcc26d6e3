import path from "node:path";
import { LocalStorage } from "./LocalStorage.js";
import { S3Storage } from "./S3Storage.js";
import type { Storage } from "./Storage.js";

export * from "./Storage.js";
export { LocalStorage } from "./LocalStorage.js";
export { S3Storage, type S3StorageOptions } from "./S3Storage.js";

/**
 * S3-compatible storage when S3_BUCKET is set (S3_ENDPOINT, S3_REGION, S3_ACCESS_KEY_ID /
 * S3_SECRET_ACCESS_KEY or the standard AWS_* variables, S3_FORCE_PATH_STYLE, S3_PREFIX),
 * otherwise local disk under `<dataDir>/recordings`.
 */
export function createStorage(env: NodeJS.ProcessEnv, dataDir: string): Storage {
  if (env.S3_BUCKET) {
    return new S3Storage({
      bucket: env.S3_BUCKET,
      prefix: env.S3_PREFIX,
      endpoint: env.S3_ENDPOINT || undefined,
      region: env.S3_REGION || env.AWS_REGION || "us-east-1",
      accessKeyId: env.S3_ACCESS_KEY_ID || undefined,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY || undefined,
      forcePathStyle: env.S3_FORCE_PATH_STYLE === "true" || env.S3_FORCE_PATH_STYLE === "1" || (!!env.S3_ENDPOINT && env.S3_FORCE_PATH_STYLE !== "false"),
    });
  }
  return new LocalStorage(path.join(dataDir, "recordings"));
}

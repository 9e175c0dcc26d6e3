import { SettingsReader } from "../config/settings.js";
import type { S3StorageOptions } from "./S3Storage.js";

export interface StorageSettings {
  /** S3-compatible bucket (S3_BUCKET and its companions); local disk when absent. */
  s3?: S3StorageOptions;
}

/**
 * S3_BUCKET, S3_ENDPOINT, S3_REGION (or AWS_REGION), S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY (or
 * the standard AWS_* variables, read by the SDK), S3_FORCE_PATH_STYLE (default: true with an
 * endpoint), S3_PREFIX. Problems go to the reader (reported at start).
 */
export function readStorageSettings(read: SettingsReader): StorageSettings {
  const bucket = read.text("S3_BUCKET");
  if (!bucket) return {};
  const endpoint = read.url("S3_ENDPOINT", ["http:", "https:"]);
  const accessKeyId = read.text("S3_ACCESS_KEY_ID");
  const secretAccessKey = read.text("S3_SECRET_ACCESS_KEY");
  if (Boolean(accessKeyId) !== Boolean(secretAccessKey)) read.problem("S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together");
  return {
    s3: {
      bucket,
      prefix: read.text("S3_PREFIX"),
      endpoint,
      region: read.text("S3_REGION") ?? read.text("AWS_REGION") ?? "us-east-1",
      accessKeyId,
      secretAccessKey,
      forcePathStyle: read.bool("S3_FORCE_PATH_STYLE", Boolean(read.text("S3_ENDPOINT"))),
    },
  };
}

/** Storage settings from an environment (tests, tools); throws with every problem at once. */
export function storageSettingsFromEnv(env: NodeJS.ProcessEnv): StorageSettings {
  const read = new SettingsReader(env);
  const settings = readStorageSettings(read);
  if (read.problems.length) throw new Error(read.problems.join("; "));
  return settings;
}
